-- The details of a preview's sampled contacts (a primary-key read of a few ids).
SELECT user_id, phone, name, city, region, vip_level
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND user_id IN {ids:Array(String)}
ORDER BY user_id
