-- Contact profiles: the newest version of a user's profile wins (ReplacingMergeTree on updated_at).
-- @shard_by cityHash64(workspace_id, user_id)
CREATE TABLE IF NOT EXISTS contacts
(
    workspace_id LowCardinality(String),
    user_id String,
    phone String,
    name String,
    gender LowCardinality(String),
    birthday Nullable(Date32),
    city LowCardinality(String),
    region LowCardinality(String),
    signup_at Nullable(DateTime64(3, 'UTC')),
    vip_level UInt8,
    consent LowCardinality(String),
    consent_at Nullable(DateTime64(3, 'UTC')),
    attributes Map(String, String),
    updated_at DateTime64(3, 'UTC'),
    INDEX idx_phone phone TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (workspace_id, user_id);

-- Tags on users. Each change is a row; the newest change of (user, tag, value) wins and a removal
-- is a row with is_deleted = 1, which FINAL hides.
-- @shard_by cityHash64(workspace_id, user_id)
CREATE TABLE IF NOT EXISTS tags
(
    workspace_id LowCardinality(String),
    user_id String,
    tag LowCardinality(String),
    value String,
    source LowCardinality(String),
    assigned_at DateTime64(3, 'UTC'),
    version UInt64,
    is_deleted UInt8
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (workspace_id, tag, value, user_id);

-- Numbers and users that must never be sent to. Removal (e.g. a re-subscribe) is a newer row with
-- is_deleted = 1.
-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS suppressions
(
    workspace_id LowCardinality(String),
    reason Enum8('unsubscribe' = 1, 'complaint' = 2, 'blacklist' = 3, 'invalid' = 4),
    phone String,
    user_id String,
    source LowCardinality(String),
    note String,
    created_at DateTime64(3, 'UTC'),
    version UInt64,
    is_deleted UInt8
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (workspace_id, phone, user_id, reason);

-- Unsubscribes (including the replies TD / T) and complaints suppress the number at once, whatever
-- path the event came in by. version = event time in microseconds (the unit of every version column),
-- so a replayed old unsubscribe never undoes a later re-subscribe.
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
