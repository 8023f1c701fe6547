-- The newest profile of the contact with this (normalised) phone number; the smallest user id when several share it.
SELECT *
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND phone = {phone:String}
ORDER BY user_id
LIMIT 1
