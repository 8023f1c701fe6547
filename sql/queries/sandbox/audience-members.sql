-- Every stored snapshot (audience_id, version) of the workspace's audiences, member by member, for its SQL sandbox.
SELECT
    src.audience_id AS audience_id,
    src.version AS version,
    {{sandbox/person-columns}},
    src.* EXCEPT (workspace_id, audience_id, version, user_id, phone, attributes),
    if({masked:UInt8} = 1, mapApply((k, v) -> (k, replaceRegexpAll(v, '\\+?[0-9]{11,15}', '<phone>')), src.attributes), src.attributes) AS attributes
FROM audience_members AS src
WHERE src.workspace_id = {workspace:String}
