-- The newest version of the key with this hash (every version of a key keeps its hash; the key
-- itself names its workspace).
SELECT workspace_id, key_id, version, name, role, key_hash, is_root, revoked
FROM api_keys
WHERE key_hash = {key_hash:String}
ORDER BY version DESC, changed_at DESC
LIMIT 1
