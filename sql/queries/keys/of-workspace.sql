-- Newest version of each key of a workspace.
SELECT workspace_id, key_id, version, name, role, key_hash, is_root, revoked
FROM api_keys
WHERE workspace_id = {workspace:String}
ORDER BY key_id, version DESC, changed_at DESC
LIMIT 1 BY key_id
