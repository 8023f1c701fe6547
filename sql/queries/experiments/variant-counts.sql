SELECT substring(audience_id, length({experiment:String}) + 2) AS variant, count() AS n
FROM audience_members
WHERE workspace_id = {workspace:String} AND version = {target_version:UInt32} AND audience_id IN {variant_audiences:Array(String)}
GROUP BY variant
