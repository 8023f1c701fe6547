-- One event by id within a workspace, optionally of one type ('' = any; with several, the earliest).
-- event_keys says on which days and with which types the id is stored, so the read touches only those
-- parts of the events table's key instead of scanning every day for the id.
SELECT event_id, type, ts, user_id, phone, campaign_id, template_id, message_id, channel, carrier, region,
       status, error_code, revenue, experiment_id, variant, properties
FROM events
WHERE workspace_id = {workspace:String}
  AND (toDate(ts), type) IN
  (
      SELECT day, type
      FROM event_keys
      WHERE workspace_id = {workspace:String} AND key_hash = cityHash64({workspace:String}, {event_id:String})
  )
  AND event_id = {event_id:String}
  AND ({type:String} = '' OR type = {type:String})
ORDER BY ts, type
LIMIT 1
