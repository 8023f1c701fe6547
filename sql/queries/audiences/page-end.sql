-- The last user_id of the page that starts after the cursor, and whether another row follows it.
SELECT user_id
FROM audience_members
WHERE workspace_id = {workspace:String} AND audience_id = {audience:String} AND version = {version:UInt32}
  AND excluded = '' AND user_id > {after:String}
ORDER BY user_id
LIMIT 2 OFFSET {offset:UInt32}
