SELECT workspace_id, key_id, version, name, role, key_hash, is_root, revoked
FROM api_keys
WHERE workspace_id = {workspace:String} AND key_id = {key_id:String}
ORDER BY version DESC, changed_at DESC
LIMIT 1
