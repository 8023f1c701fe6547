SELECT excluded, count() AS n
FROM audience_members
WHERE workspace_id = {workspace:String} AND audience_id = {audience:String} AND version = {version:UInt32}
GROUP BY excluded
