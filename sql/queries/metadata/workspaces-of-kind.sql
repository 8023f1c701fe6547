-- Workspaces that hold any object of one kind (a scheduler's pass over every workspace's schedules).
SELECT DISTINCT workspace_id
FROM metadata
WHERE kind = {kind:String}
ORDER BY workspace_id
