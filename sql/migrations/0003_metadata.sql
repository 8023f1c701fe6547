-- Metadata is append-only: every edit is a new version row and nothing is overwritten, so no edit
-- is ever lost. Readers take the newest version per id; a deletion is a version with deleted = 1.
-- spec holds the version's JSON document.

-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS workspaces
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

-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS segments
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

-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS audiences
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

-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS experiments
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

-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS alert_rules
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

-- API keys: only a SHA-256 of the secret is stored. Revocation is a newer version with revoked = 1.
-- is_root marks the bootstrap key, the only one that may create keys in other workspaces.
-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS api_keys
(
    workspace_id LowCardinality(String),
    key_id String,
    version UInt32,
    name String,
    role LowCardinality(String),
    key_hash String,
    is_root UInt8,
    revoked UInt8,
    changed_at DateTime64(3, 'UTC'),
    changed_by String
)
ENGINE = MergeTree
ORDER BY (workspace_id, key_id, version);
