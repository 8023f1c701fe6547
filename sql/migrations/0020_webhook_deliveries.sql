-- Deliveries of segment webhooks (audience.version notices, pings) and their outcome. A delivery is written when it
-- starts and again after each attempt; `step` (attempts × 2, + 1 once finished) orders its rows, so the furthest
-- one wins (read with FINAL). status 0: no HTTP answer. Rows leave 90 days after the delivery was made.
-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS webhook_deliveries
(
    workspace_id LowCardinality(String),
    webhook_id String,
    segment_id String,
    delivery_id String,
    event LowCardinality(String),
    audience_version UInt32,
    attempts UInt16,
    delivered UInt8,
    status UInt16,
    error String,
    created_at DateTime64(3, 'UTC'),
    finished_at Nullable(DateTime64(3, 'UTC')),
    step UInt32
)
ENGINE = ReplacingMergeTree(step)
ORDER BY (workspace_id, webhook_id, delivery_id)
TTL toDateTime(created_at) + INTERVAL 90 DAY;
