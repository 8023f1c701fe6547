-- Contacts a batch opts out suppress their number. Times and versions come from the batch's
-- applied_at, so running this again (a resumed import) writes the same rows, which FINAL folds into one.
INSERT INTO suppressions (workspace_id, reason, phone, user_id, source, note, created_at, version, is_deleted)
SELECT workspace_id, 'unsubscribe', phone, user_id, {source:String}, {note:String}, {applied_at:DateTime64(3, 'UTC')}, toUInt64(toUnixTimestamp64Micro({applied_at:DateTime64(3, 'UTC')})), 0
FROM contact_import_pending
WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}
  AND consent = 'opted_out' AND ifNull(previous_consent, '') != 'opted_out'
