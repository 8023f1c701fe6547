-- The merged profiles become the newest version of each contact (run last: the merge reads the old ones).
INSERT INTO contacts (workspace_id, user_id, phone, name, gender, birthday, city, region, signup_at, vip_level, consent, consent_at, attributes, updated_at)
SELECT workspace_id, user_id, phone, name, gender, birthday, city, region, signup_at, vip_level, consent, consent_at, attributes, now64(3)
FROM ({{imports/contacts-merged}})
