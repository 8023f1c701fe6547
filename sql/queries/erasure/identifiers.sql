-- Every user id and phone a person is known by in a workspace: the profiles matched by the requested user id
-- (or by one of its phones: a number-list contact uses the phone as its id) and the phones their events carry.
SELECT 'contact' AS source, user_id, phone
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND (user_id IN {ids:Array(String)} OR (phone != '' AND phone IN {ids:Array(String)}))
UNION ALL
SELECT DISTINCT 'event' AS source, user_id, phone
FROM events
WHERE workspace_id = {workspace:String} AND user_id IN {ids:Array(String)}
