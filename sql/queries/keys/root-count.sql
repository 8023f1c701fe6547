SELECT count() AS n
FROM api_keys
WHERE is_root = 1 AND revoked = 0
