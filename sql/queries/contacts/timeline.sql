-- A contact's newest events since {from}: its own by user id, and by phone those that carry no user id
-- (how events belong to a contact in segment rules). Bounded by time and count.
SELECT event_id, type, ts, campaign_id, template_id, channel, carrier, status, error_code, revenue, experiment_id, variant, properties
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')}
  AND (user_id = {user_id:String} OR (user_id = '' AND {phone:String} != '' AND phone = {phone:String}))
ORDER BY ts DESC, type, event_id
LIMIT {limit:UInt32}
