-- A workspace's contacts (newest version of each) for its SQL sandbox; free-text attributes lose phone-like numbers when masked.
SELECT
    {{sandbox/person-columns}},
    src.* EXCEPT (workspace_id, user_id, phone, attributes),
    if({masked:UInt8} = 1, mapApply((k, v) -> (k, replaceRegexpAll(v, '\\+?[0-9]{11,15}', '<phone>')), src.attributes), src.attributes) AS attributes
FROM contacts AS src FINAL
WHERE src.workspace_id = {workspace:String}
