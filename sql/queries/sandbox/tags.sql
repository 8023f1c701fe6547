-- A workspace's current tags (FINAL drops removed ones) for its SQL sandbox.
SELECT {{sandbox/user-id}}, src.tag AS tag, src.value AS value, src.source AS source, src.assigned_at AS assigned_at
FROM tags AS src FINAL
WHERE src.workspace_id = {workspace:String}
