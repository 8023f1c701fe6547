-- Events keep their counts: the person's user id and phone become their workspace-salted SHA-256 (the same
-- hash for the same value, so units still count once), and free-form properties are blanked except the
-- `category` rules filter on and a TD/T reply text that counts as an unsubscribe.
ALTER TABLE {{table}}{{on_cluster}}
UPDATE
    user_id = if(user_id IN {identifiers:Array(String)}, concat('sha256:', lower(hex(SHA256(concat(workspace_id, ':', user_id))))), user_id),
    phone = if(phone IN {identifiers:Array(String)}, concat('sha256:', lower(hex(SHA256(concat(workspace_id, ':', phone))))), phone),
    properties = mapFilter((k, v) -> k = 'category' OR (k = 'text' AND upper(trimBoth(v)) IN ('TD', 'T')), properties)
WHERE workspace_id = {workspace:String} AND (user_id IN {identifiers:Array(String)} OR phone IN {identifiers:Array(String)})
