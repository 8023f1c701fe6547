-- Benchmark tags: 0-3 interests per user (a quarter have none), one lifecycle stage each, a membership tier
-- for a fifth of users.
INSERT INTO tags (workspace_id, user_id, tag, value, source, assigned_at, version, is_deleted)
SELECT {workspace:String}, concat('u', toString(user_num)), tag_value.1, tag_value.2, 'bench', {now:DateTime64(3, 'UTC')}, 1, 0
FROM (SELECT number AS user_num FROM numbers({contacts:UInt64}))
ARRAY JOIN arrayConcat(
    arrayMap(i -> ('interest', {categories:Array(String)}[1 + (cityHash64(user_num, 'interest') + i) % length({categories:Array(String)})]),
             range(cityHash64(user_num, 'interests') % 4)),
    [('lifecycle', ['new', 'repeat', 'dormant', 'churn_risk'][1 + cityHash64(user_num, 'lifecycle') % 4])],
    if(cityHash64(user_num, 'member') % 5 = 0, [('member', ['silver', 'gold'][1 + cityHash64(user_num, 'tier') % 2])], [])
) AS tag_value
