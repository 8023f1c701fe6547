-- The newest version of each object of one kind in a workspace whose id is after {after} ('' = all), in id
-- order, deleted ones included (their tombstone is the newest). Should a version be stored twice (rows from
-- before version claims existed), its earliest row counts, as in metadata/latest. Spliced into list queries.
SELECT id, version, name, spec, deleted, changed_at, changed_by
FROM metadata
WHERE workspace_id = {workspace:String} AND kind = {kind:String} AND id > {after:String}
ORDER BY id, version DESC, changed_at, spec
LIMIT 1 BY id
