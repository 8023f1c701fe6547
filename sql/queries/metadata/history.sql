-- Every version of one metadata object, oldest first.
SELECT id, version, name, spec, deleted, changed_at, changed_by
FROM {table:Identifier}
WHERE workspace_id = {workspace:String} AND id = {id:String}
ORDER BY version, changed_at
