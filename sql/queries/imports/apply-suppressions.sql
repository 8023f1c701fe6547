-- Contacts the import opts out suppress their number (run before the contacts are written).
INSERT INTO suppressions (workspace_id, reason, phone, user_id, source, note, created_at, version, is_deleted)
SELECT workspace_id, 'unsubscribe', phone, user_id, 'import', concat('import ', {import_id:String}), now64(3), toUInt64(toUnixTimestamp64Micro(now64(6))), 0
FROM ({{imports/contacts-merged}})
WHERE consent = 'opted_out' AND ifNull(previous_consent, '') != 'opted_out'
