-- The merged profiles become the newest version of each contact.
INSERT INTO contacts (workspace_id, user_id, phone, name, gender, birthday, city, region, signup_at, vip_level, consent, consent_at, attributes, updated_at)
SELECT workspace_id, user_id, phone, name, gender, birthday, city, region, signup_at, vip_level, consent, consent_at, attributes, now64(3)
FROM contact_import_merged
WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}
