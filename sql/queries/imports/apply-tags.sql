-- Tags named in the file (tags / tag:<name> columns, and the import's own tag). Times and versions come
-- from the job's applied_at, so running this again (a resumed import) writes the same rows.
INSERT INTO tags (workspace_id, user_id, tag, value, source, assigned_at, version, is_deleted)
SELECT workspace_id, user_id, t.1, t.2, 'import', {applied_at:DateTime64(3, 'UTC')}, toUInt64(toUnixTimestamp64Micro({applied_at:DateTime64(3, 'UTC')})), 0
FROM contact_import_pending
ARRAY JOIN tags AS t
WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}
