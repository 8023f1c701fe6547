-- Message events, one row per event.
-- Identity: (workspace_id, event_id), which is the whole sorting key: any re-sent copy of an event,
-- whatever else it carries, collapses into one row (the newest copy wins), and every query reads
-- with FINAL so that holds before merges too. No partitioning by time, because ReplacingMergeTree only
-- collapses rows within a partition. Inserts also carry a deduplication token, so a retried batch is
-- dropped before it is stored. ts is UTC with milliseconds; calendar buckets apply the workspace's time
-- zone at query time. The minmax index on ts skips granules when event ids grow with time (ULID,
-- UUIDv7, message ids with a date), as most senders' ids do.
-- @shard_by cityHash64(workspace_id, event_id)
CREATE TABLE IF NOT EXISTS events
(
    workspace_id LowCardinality(String),
    event_id String,
    type Enum8('send' = 1, 'delivery' = 2, 'click' = 3, 'conversion' = 4, 'unsubscribe' = 5, 'reply' = 6, 'complaint' = 7, 'exposure' = 8),
    ts DateTime64(3, 'UTC'),
    user_id String,
    phone String,
    campaign_id String,
    template_id String,
    message_id String,
    channel LowCardinality(String),
    carrier LowCardinality(String),
    region LowCardinality(String),
    status LowCardinality(String),
    error_code LowCardinality(String),
    revenue Decimal(18, 4),
    experiment_id String,
    variant LowCardinality(String),
    properties Map(String, String),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX idx_ts ts TYPE minmax GRANULARITY 1,
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_message_id message_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(ingested_at)
ORDER BY (workspace_id, event_id)
TTL toDateTime(ts) + toIntervalMonth({{event_retention_months}})
SETTINGS non_replicated_deduplication_window = 1000;
