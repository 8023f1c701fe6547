-- A workspace's suppression entries in force (FINAL drops lifted ones) for its SQL sandbox.
SELECT toString(src.reason) AS reason, {{sandbox/person-columns}}, src.source AS source, if({masked:UInt8} = 1, replaceRegexpAll(src.note, '\\+?[0-9]{11,15}', '<phone>'), src.note) AS note, src.created_at AS created_at
FROM suppressions AS src FINAL
WHERE src.workspace_id = {workspace:String}
