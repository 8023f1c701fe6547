-- The segment's newest change number (0 before the first).
SELECT max(seq) AS seq FROM realtime_changes WHERE workspace_id = {workspace:String} AND segment_id = {segment:String}
