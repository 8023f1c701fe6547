-- One event by id within a workspace (FINAL: the stored copy after deduplication).
SELECT event_id, type, ts, user_id, phone, campaign_id, template_id, message_id, channel, carrier, region,
       status, error_code, revenue, experiment_id, variant, properties
FROM events FINAL
WHERE workspace_id = {workspace:String} AND event_id = {event_id:String}
LIMIT 1
