-- Rows the events table holds for the workspace, copies not yet collapsed included (no FINAL on purpose).
SELECT count() AS n
FROM events
WHERE workspace_id = {workspace:String}
