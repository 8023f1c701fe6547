-- k-means cluster models (metadata, append-only versions like the others) and every contact's cluster
-- under a model, assigned in ClickHouse by nearest centroid.
-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS cluster_models
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

-- @shard_by cityHash64(workspace_id, model_id)
CREATE TABLE IF NOT EXISTS cluster_assignments
(
    workspace_id LowCardinality(String),
    model_id String,
    user_id String,
    cluster UInt32
)
ENGINE = MergeTree
ORDER BY (workspace_id, model_id, cluster, user_id);
