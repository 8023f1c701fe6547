-- A deterministic sample of the feature rows (the same seed and data give the same sample).
SELECT * FROM ({{clusters/features}})
ORDER BY cityHash64(user_id, {seed:UInt64})
LIMIT {sample:UInt32}
