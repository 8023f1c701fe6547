-- The old layout's rows, each event once (FINAL: the old table deduplicated on read), into the new layout.
-- The insert feeds the new table's views (event keys, suppressions, rollups) like any other insert.
INSERT INTO events
SELECT workspace_id, event_id, type, ts, user_id, phone, campaign_id, template_id, message_id, channel, carrier,
       region, status, error_code, revenue, experiment_id, variant, properties, ingested_at
FROM events_legacy FINAL
