-- Message events, one row per event.
-- Identity: (workspace_id, event_id). A replayed or re-posted event has the same sorting key, so
-- ReplacingMergeTree keeps one row after merges, and every query reads with FINAL until then.
-- Inserts carry a deduplication token, so a retried batch is dropped before it is even stored.
-- ts is UTC with milliseconds; calendar buckets apply the workspace's time zone at query time.
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
    INDEX idx_event_id event_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_message_id message_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(ts)
ORDER BY (workspace_id, toDate(ts), type, event_id)
TTL toDateTime(ts) + toIntervalMonth({{event_retention_months}})
SETTINGS non_replicated_deduplication_window = 1000;
