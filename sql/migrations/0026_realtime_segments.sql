-- Realtime segments (issue 17 item 6): membership kept current within seconds of the events that change it.
-- segmentation/realtime-worker.ts evaluates each flagged segment's rule over the contacts TOUCHED since its
-- watermarks only (events, tags, contacts written since), compares with the stored membership and appends
-- each flip to realtime_changes.

-- One row per flagged segment, the newest version winning: the flag, the rule version that was seeded, and the
-- watermarks. event_mark is in the engine's clock (events.ingested_at is the engine's now64 at insert);
-- write_mark is in the platform's version clock (tags.version, contacts.updated_at); swept_at is when the
-- members were last re-evaluated for windows moving on. Small: read with FINAL.
-- @shard_by cityHash64(workspace_id, segment_id)
CREATE TABLE IF NOT EXISTS realtime_segments
(
    workspace_id LowCardinality(String),
    segment_id String,
    enabled UInt8,
    segment_version UInt32,
    event_mark DateTime64(3, 'UTC'),
    write_mark UInt64,
    swept_at DateTime64(3, 'UTC'),
    changed_by String,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (workspace_id, segment_id);

-- Current membership: one row per segment and contact (unit = the contact's user_id), the newest version
-- winning; member = 0 once a contact has left. Read with FINAL over the few units being evaluated.
-- @shard_by cityHash64(workspace_id, segment_id)
CREATE TABLE IF NOT EXISTS realtime_members
(
    workspace_id LowCardinality(String),
    segment_id String,
    unit String,
    member UInt8,
    changed_at DateTime64(3, 'UTC'),
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (workspace_id, segment_id, unit);

-- The change stream: one row per flip, numbered per segment (seq, from 1), read by GET /v1/segments/:id/changes
-- in seq order. cause_ingested_at: the newest ingested_at of the contact's events that caused it (the detection
-- time for a tag, contact or window change); recorded_at: when this row was written (the engine's clock).
-- Kept 90 days.
-- @shard_by cityHash64(workspace_id, segment_id)
CREATE TABLE IF NOT EXISTS realtime_changes
(
    workspace_id LowCardinality(String),
    segment_id String,
    seq UInt64,
    unit String,
    change Enum8('entered' = 1, 'left' = 2),
    cause_ingested_at DateTime64(3, 'UTC'),
    recorded_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (workspace_id, segment_id, seq)
TTL toDateTime(recorded_at) + INTERVAL 90 DAY;
