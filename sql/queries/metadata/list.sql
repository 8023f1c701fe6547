-- Newest version of each live object of a workspace, in id order after the cursor (the same row per
-- object as metadata/latest picks).
SELECT id, version, name, spec, deleted, changed_at, changed_by
FROM ({{metadata/newest-of-kind}})
WHERE deleted = 0
ORDER BY id
LIMIT {limit:UInt32}
