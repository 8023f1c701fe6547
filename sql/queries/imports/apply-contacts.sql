-- The merged profiles become the newest version of each contact. updated_at is the job's applied_at,
-- so running this again (a resumed import) writes the same rows, which FINAL folds into one.
INSERT INTO contacts (workspace_id, user_id, phone, name, gender, birthday, city, region, signup_at, vip_level, consent, consent_at, attributes, updated_at)
SELECT workspace_id, user_id, phone, name, gender, birthday, city, region, signup_at, vip_level, consent, consent_at, attributes, {applied_at:DateTime64(3, 'UTC')}
FROM contact_import_pending
WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}
