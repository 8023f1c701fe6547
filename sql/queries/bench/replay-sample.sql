-- Stored events to send again (about one in `one_in`, spread over the whole key range), as they are stored;
-- ordered, so every run sends the same ones.
SELECT event_id, type, ts, user_id, phone, campaign_id, template_id, message_id, channel, carrier, region,
       status, error_code, revenue, experiment_id, variant, properties
FROM events
WHERE workspace_id = {workspace:String} AND cityHash64(event_id) % {one_in:UInt64} = 0
ORDER BY event_id
LIMIT {limit:UInt32}
