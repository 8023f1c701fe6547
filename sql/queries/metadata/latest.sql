-- Newest version of one metadata object (kind is one of the fixed metadata kinds). Should a version
-- be stored twice (rows from before version claims existed), its earliest row counts, as in history.
SELECT id, version, name, spec, deleted, changed_at, changed_by
FROM metadata
WHERE workspace_id = {workspace:String} AND kind = {kind:String} AND id = {id:String}
ORDER BY version DESC, changed_at, spec
LIMIT 1
