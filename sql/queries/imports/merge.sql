-- Computes the merge of a staged batch once (see contacts-merged.sql for its rules).
INSERT INTO contact_import_pending
    (workspace_id, import_id, existed, previous_consent, previous_updated_at, {{contact_columns}}, tags)
SELECT
    workspace_id, {import_id:String}, existed, previous_consent, previous_updated_at, {{contact_columns}}, tags
FROM ({{imports/contacts-merged}})
