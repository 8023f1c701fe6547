-- Materialized audiences: one immutable snapshot per (audience, version), with the contact fields that
-- templates need. Every matched contact is stored; `excluded` says why one is not sent to ('' = included:
-- suppressed, no_phone, new_user_rule, frequency_cap), so exclusions can be counted and explained.
-- @shard_by cityHash64(workspace_id, audience_id)
CREATE TABLE IF NOT EXISTS audience_members
(
    workspace_id LowCardinality(String),
    audience_id String,
    version UInt32,
    user_id String,
    phone String,
    name String,
    gender LowCardinality(String),
    birthday Nullable(Date32),
    city LowCardinality(String),
    region LowCardinality(String),
    vip_level UInt8,
    attributes Map(String, String),
    excluded LowCardinality(String)
)
ENGINE = MergeTree
ORDER BY (workspace_id, audience_id, version, user_id);
