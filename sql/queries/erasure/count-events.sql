-- How many of a workspace's events carry one of the person's identifiers.
SELECT count() AS n
FROM events
WHERE workspace_id = {workspace:String} AND (user_id IN {identifiers:Array(String)} OR phone IN {identifiers:Array(String)})
