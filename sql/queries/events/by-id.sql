-- One event by id within a workspace, optionally of one type ('' = any; with several, the earliest).
-- The bloom filter index on event_id skips the granules that cannot hold it.
SELECT event_id, type, ts, user_id, phone, campaign_id, template_id, message_id, channel, carrier, region,
       status, error_code, revenue, experiment_id, variant, properties
FROM events
WHERE workspace_id = {workspace:String}
  AND event_id = {event_id:String}
  AND ({type:String} = '' OR type = {type:String})
ORDER BY ts, type
LIMIT 1
