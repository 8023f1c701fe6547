-- RFM scores per user, one set per computation (run); rules read the workspace's newest run.
-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS rfm_scores
(
    workspace_id LowCardinality(String),
    run_id String,
    computed_at DateTime64(3, 'UTC'),
    window_days UInt32,
    event LowCardinality(String),
    user_id String,
    recency_days Float64,
    frequency UInt64,
    monetary Float64,
    r UInt8,
    f UInt8,
    m UInt8,
    segment LowCardinality(String)
)
ENGINE = MergeTree
ORDER BY (workspace_id, run_id, user_id)
TTL toDateTime(computed_at) + INTERVAL 90 DAY;
