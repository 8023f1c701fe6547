-- Computes the merge of an import once (see contacts-merged.sql for its rules).
INSERT INTO contact_import_pending
    (workspace_id, import_id, user_id, existed, previous_consent, phone, name, gender, birthday, city, region, signup_at, vip_level, consent, consent_at, attributes, tags)
SELECT
    workspace_id, {import_id:String}, user_id, existed, previous_consent, phone, name, gender, birthday, city, region, signup_at, vip_level, consent, consent_at, attributes, tags
FROM ({{imports/contacts-merged}})
