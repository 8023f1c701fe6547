-- Runs of scheduled jobs (a segment's refresh, and any other kind the job scheduler is given), one per cron slot
-- of a job. A run is written several times: `running` when it starts (again at each heartbeat, which keeps it
-- from looking abandoned), then `succeeded`, `failed` or `skipped`; readers take the newest row of a slot by
-- `version` (the app's version clock). A slot is claimed in version_claims before its run starts, so of two
-- processes only one runs it.
-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS schedule_runs
(
    workspace_id LowCardinality(String),
    job_kind LowCardinality(String),
    job_id String,
    slot DateTime64(3, 'UTC'),
    started_at DateTime64(3, 'UTC'),
    heartbeat_at DateTime64(3, 'UTC'),
    finished_at Nullable(DateTime64(3, 'UTC')),
    status LowCardinality(String),
    size Nullable(UInt64),
    audience_version Nullable(UInt32),
    error String,
    version UInt64
)
ENGINE = MergeTree
ORDER BY (workspace_id, job_kind, job_id, slot, version);
