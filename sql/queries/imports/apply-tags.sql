-- Tags named in the file (tags / tag:<name> columns, and the import's own tag).
INSERT INTO tags (workspace_id, user_id, tag, value, source, assigned_at, version, is_deleted)
SELECT workspace_id, user_id, t.1, t.2, 'import', now64(3), toUInt64(toUnixTimestamp64Micro(now64(6))), 0
FROM contact_import_merged
ARRAY JOIN tags AS t
WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}
