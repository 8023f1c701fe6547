-- The merged profiles become the newest version of each contact: updated_at is the batch's applied_at, or
-- 1 ms past the version it was merged over when that is not older (contacts-merged.sql, rule 4). Both are
-- fixed when the batch is merged and applied, so running this again (a resumed import) writes the same rows,
-- which FINAL folds into one. (Rows merged before previous_updated_at existed have NULL there.)
INSERT INTO contacts (workspace_id, {{contact_columns}}, updated_at)
SELECT
    workspace_id, {{contact_columns}},
    greatest({applied_at:DateTime64(3, 'UTC')}, ifNull(previous_updated_at + toIntervalMillisecond(1), {applied_at:DateTime64(3, 'UTC')}))
FROM contact_import_pending
WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}
