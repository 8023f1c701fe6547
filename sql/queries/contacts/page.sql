-- One page of contacts in user_id order, after the cursor (keyset pagination).
SELECT *
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND user_id > {after:String}
ORDER BY user_id
LIMIT {limit:UInt32}
