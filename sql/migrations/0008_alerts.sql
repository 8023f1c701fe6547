-- Fired alerts, as versioned metadata like the rest (acknowledging one is a new version).
-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS alerts
(
    workspace_id LowCardinality(String),
    id String,
    version UInt32,
    name String,
    spec String,
    deleted UInt8,
    changed_at DateTime64(3, 'UTC'),
    changed_by String
)
ENGINE = MergeTree
ORDER BY (workspace_id, id, version);
