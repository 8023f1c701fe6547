-- Version claims: before a new version of an object is written, its number is claimed here, once.
-- Each claim is inserted with an insert_deduplication_token naming (type, workspace, object, version),
-- so of two writers that race for one number ClickHouse stores only the first block; should both be
-- stored (beyond the deduplication window), every reader takes the earliest claim (claimed_at, then
-- write_id) as the winner. The loser writes nothing and is told its write is stale.
-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS version_claims
(
    workspace_id LowCardinality(String),
    object_type LowCardinality(String),
    object_id String,
    version UInt32,
    write_id String,
    claimed_at DateTime64(6, 'UTC') DEFAULT now64(6)
)
ENGINE = MergeTree
ORDER BY (workspace_id, object_type, object_id, version)
SETTINGS non_replicated_deduplication_window = 10000;
