-- Which of the given ids of one kind have any version stored (tombstones included).
SELECT DISTINCT id
FROM metadata
WHERE workspace_id = {workspace:String} AND kind = {kind:String} AND id IN {ids:Array(String)}
