-- A session by the hash of its secret (the secret itself names no workspace, as an API key's hash does not):
-- its key, its expiry, and whether sign-out ended it.
SELECT workspace_id, key_id, max(expires_at) AS expires_at, max(ended) AS ended
FROM sessions
WHERE session_hash = {session_hash:String}
GROUP BY workspace_id, key_id
LIMIT 1
