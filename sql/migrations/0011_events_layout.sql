-- Events, laid out for reads by time, type and person (issue 12). Applied by warehouse/migration-steps.ts
-- around this file: before it, the old table is renamed to events_legacy and the views reading it are dropped
-- (a view does not follow a renamed table); after it, the old rows are copied here and events_legacy dropped.
--
-- Identity: (workspace_id, type, event_id). Deduplicated ON WRITE (ingest/event-store.ts looks each batch up
-- by (UTC day, type, event_id), a primary-key read, before inserting), so every read is exact without FINAL.
-- The first stored copy of an event wins. ReplacingMergeTree stays only as a backstop: same-day copies that
-- slipped past the writer would still collapse when parts merge.
-- Sorted by UTC day, then type: a read of "type T in the last N days" touches N days of one type.
-- Partitioned by month so that retention drops whole parts.
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

-- As in 0002 (dropped before the rename, so that it reads the new table).
CREATE MATERIALIZED VIEW IF NOT EXISTS events_to_suppressions TO suppressions AS
SELECT
    workspace_id,
    CAST(if(type = 'complaint', 'complaint', 'unsubscribe') AS Enum8('unsubscribe' = 1, 'complaint' = 2, 'blacklist' = 3, 'invalid' = 4)) AS reason,
    phone,
    user_id,
    'event' AS source,
    event_id AS note,
    ts AS created_at,
    toUInt64(toUnixTimestamp64Micro(ts)) AS version,
    toUInt8(0) AS is_deleted
FROM events
WHERE type IN ('unsubscribe', 'complaint')
   OR (type = 'reply' AND upper(trimBoth(properties['text'])) IN ('TD', 'T'));
