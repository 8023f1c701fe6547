-- The workspace's tag values with how many contacts carry each, most used first (a rule builder's picker).
-- FINAL hides removed tags.
SELECT tag, value, uniqExact(user_id) AS contacts
FROM tags FINAL
WHERE workspace_id = {workspace:String} AND is_deleted = 0
GROUP BY tag, value
ORDER BY contacts DESC, tag, value
LIMIT {limit:UInt32}
