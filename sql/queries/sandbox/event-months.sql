-- The workspace's events per month with a digest of their identities, so a snapshot refresh rewrites only the months
-- that changed (new events, erasures) and links the others from the previous snapshot.
SELECT
    toYYYYMM(ts) AS month,
    count() AS rows,
    toString(groupBitXor(cityHash64(event_id, toString(type), user_id, phone, ingested_at))) AS digest
FROM events
WHERE workspace_id = {workspace:String}
GROUP BY month
ORDER BY month
