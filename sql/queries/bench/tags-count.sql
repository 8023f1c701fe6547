-- Tag assignments of the workspace.
SELECT count() AS n
FROM tags FINAL
WHERE workspace_id = {workspace:String}
