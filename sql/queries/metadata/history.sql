-- Every version of one metadata object, oldest first; one row per version (the earliest stored, should
-- a version be stored twice by writers from before version claims existed).
SELECT id, version, name, spec, deleted, changed_at, changed_by
FROM metadata
WHERE workspace_id = {workspace:String} AND kind = {kind:String} AND id = {id:String}
ORDER BY version, changed_at, spec
LIMIT 1 BY version
