-- Newest version of one metadata object (table is one of the fixed metadata tables). Should a version
-- be stored twice (rows from before version claims existed), its earliest row counts, as in history.
SELECT id, version, name, spec, deleted, changed_at, changed_by
FROM {table:Identifier}
WHERE workspace_id = {workspace:String} AND id = {id:String}
ORDER BY version DESC, changed_at, spec
LIMIT 1
