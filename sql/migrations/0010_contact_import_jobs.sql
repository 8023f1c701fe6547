-- Contact imports as jobs, so a crash leaves either nothing or everything: a job is `staging` while
-- the file is read and merged (a crash then discards it), `applying` once the merge is complete (a
-- crash then resumes it at the next start: its writes are idempotent), then `done` or `discarded`.
-- step orders the statuses (1 staging, 2 applying, 3 done or discarded): the furthest one wins.
-- applied_at is the time every row the import writes carries, fixed once, so a resumed apply writes
-- the very same rows again.
-- @shard_by cityHash64(workspace_id, import_id)
CREATE TABLE IF NOT EXISTS contact_import_jobs
(
    workspace_id LowCardinality(String),
    import_id String,
    status LowCardinality(String),
    step UInt8,
    report String,
    applied_at DateTime64(3, 'UTC'),
    started_at DateTime64(3, 'UTC'),
    changed_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(step)
ORDER BY (workspace_id, import_id);

-- The merged result of an import, kept until the import is applied. Unlike contact_import_merged
-- (which it replaces; its TTL of a day could drop the rows of an import interrupted by a longer
-- outage) it has no TTL: rows are deleted when their job is done or discarded.
-- @shard_by cityHash64(workspace_id, import_id)
CREATE TABLE IF NOT EXISTS contact_import_pending
(
    workspace_id LowCardinality(String),
    import_id String,
    user_id String,
    existed UInt8,
    previous_consent Nullable(String),
    phone String,
    name String,
    gender String,
    birthday Nullable(Date32),
    city String,
    region String,
    signup_at Nullable(DateTime64(3, 'UTC')),
    vip_level UInt8,
    consent String,
    consent_at Nullable(DateTime64(3, 'UTC')),
    attributes Map(String, String),
    tags Array(Tuple(String, String))
)
ENGINE = MergeTree
ORDER BY (workspace_id, import_id, user_id);
