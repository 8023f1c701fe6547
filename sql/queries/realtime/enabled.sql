-- Every realtime segment whose flag is on, in every workspace (the worker's list; a handful of rows).
SELECT workspace_id, segment_id, segment_version, event_mark, write_mark, swept_at
FROM realtime_segments FINAL
WHERE enabled = 1
