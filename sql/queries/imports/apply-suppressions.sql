-- Contacts the import opts out suppress their number.
INSERT INTO suppressions (workspace_id, reason, phone, user_id, source, note, created_at, version, is_deleted)
SELECT workspace_id, 'unsubscribe', phone, user_id, 'import', concat('import ', import_id), now64(3), toUInt64(toUnixTimestamp64Micro(now64(6))), 0
FROM contact_import_merged
WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}
  AND consent = 'opted_out' AND ifNull(previous_consent, '') != 'opted_out'
