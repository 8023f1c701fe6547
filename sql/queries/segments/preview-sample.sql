SELECT user_id, phone, name, city, region, vip_level
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND ({{rule}})
ORDER BY user_id
LIMIT {limit:UInt32}
