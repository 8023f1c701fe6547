-- The suppression entries (not lifted) that hold a contact: by its user id or by its phone number, as audiences apply them.
SELECT toString(reason) AS reason, source, created_at
FROM suppressions FINAL
WHERE workspace_id = {workspace:String}
  AND ((user_id != '' AND user_id = {user_id:String}) OR ({phone:String} != '' AND phone = {phone:String}))
ORDER BY created_at, reason
LIMIT 100
