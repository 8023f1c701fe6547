-- Root keys whose newest version is not revoked.
SELECT count() AS n
FROM
(
    SELECT key_id, is_root, revoked
    FROM api_keys
    ORDER BY key_id, version DESC, changed_at DESC
    LIMIT 1 BY key_id
)
WHERE is_root = 1 AND revoked = 0
