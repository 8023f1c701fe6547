-- Newest version of each live object of a workspace, in id order after the cursor (the same row per
-- object as metadata/latest picks).
SELECT id, version, name, spec, deleted, changed_at, changed_by
FROM
(
    SELECT id, version, name, spec, deleted, changed_at, changed_by
    FROM metadata
    WHERE workspace_id = {workspace:String} AND kind = {kind:String} AND id > {after:String}
    ORDER BY id, version DESC, changed_at, spec
    LIMIT 1 BY id
)
WHERE deleted = 0
ORDER BY id
LIMIT {limit:UInt32}
