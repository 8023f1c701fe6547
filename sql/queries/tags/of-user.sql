-- Current tags of one user (FINAL hides removed ones).
SELECT tag, value, source, assigned_at
FROM tags FINAL
WHERE workspace_id = {workspace:String} AND user_id = {user_id:String}
ORDER BY tag, value
