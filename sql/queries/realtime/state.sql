-- One segment's realtime flag and watermarks (no row: never flagged).
SELECT enabled, segment_version, event_mark, write_mark, swept_at
FROM realtime_segments FINAL
WHERE workspace_id = {workspace:String} AND segment_id = {segment:String}
