-- Every versioned object (workspaces, segments, audiences, experiments, alert rules, cluster models, fired
-- alerts, alert settings) in one table of the shape the seven tables of 0003, 0007 and 0008 shared: `kind`
-- says what the object is (the old table's name, so version claims keep their object_type). Reads by key
-- stay a prefix of the sorting key: (workspace_id, kind, id) for one object, (workspace_id, kind) for a list.
-- The data step of this migration (warehouse/metadata-merge.ts) copies the old tables' rows here, turns
-- the `__defaults__` marker rule into an alert_settings record and drops the old tables.
-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS metadata
(
    workspace_id LowCardinality(String),
    kind LowCardinality(String),
    id String,
    version UInt32,
    name String,
    spec String,
    deleted UInt8,
    changed_at DateTime64(3, 'UTC'),
    changed_by String
)
ENGINE = MergeTree
ORDER BY (workspace_id, kind, id, version);
