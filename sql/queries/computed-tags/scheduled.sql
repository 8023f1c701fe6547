-- The newest live version of every computed-tag definition in every workspace, for the job scheduler (which runs
-- across workspaces; each run then binds its own). Same choice of row per object as metadata/latest.
SELECT workspace_id, id, spec, changed_at
FROM
(
    SELECT workspace_id, id, spec, deleted, changed_at
    FROM metadata
    WHERE kind = 'computed_tags'
    ORDER BY workspace_id, id, version DESC, changed_at, spec
    LIMIT 1 BY workspace_id, id
)
WHERE deleted = 0
