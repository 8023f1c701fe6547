-- Newest profile version of each given user.
SELECT *
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND user_id IN {user_ids:Array(String)}
