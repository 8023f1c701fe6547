-- Erasures done on a person's request (PIPL / GDPR): who asked for it, when, in which workspace, and the
-- one-way hashes the person's identifiers became (never the identifiers themselves). Kept for accountability.
-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS erasures
(
    workspace_id LowCardinality(String),
    erasure_id String,
    erased_at DateTime64(3, 'UTC'),
    erased_by String,
    user_hash String,
    phone_hashes Array(String),
    contacts_removed UInt64,
    events_pseudonymized UInt64
)
ENGINE = MergeTree
ORDER BY (workspace_id, erasure_id);
