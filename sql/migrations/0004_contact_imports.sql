-- Rows of a contact import in progress. An import is staged here whole, then merged into contacts in
-- one statement, so a refused or broken file leaves contacts untouched; staged rows expire after a day.
-- key is what makes two lines the same contact (user_id, else the phone); line is the 1-based line
-- (or sheet row) number. NULL means "the file does not set this field": the stored value stays.
-- @shard_by cityHash64(workspace_id, import_id)
CREATE TABLE IF NOT EXISTS contact_import_rows
(
    workspace_id LowCardinality(String),
    import_id String,
    line UInt32,
    key String,
    user_id Nullable(String),
    phone Nullable(String),
    name Nullable(String),
    gender Nullable(String),
    birthday Nullable(Date32),
    city Nullable(String),
    region Nullable(String),
    signup_at Nullable(DateTime64(3, 'UTC')),
    vip_level Nullable(UInt8),
    consent Nullable(String),
    consent_at Nullable(DateTime64(3, 'UTC')),
    attributes Map(String, String),
    tags Array(Tuple(String, String)),
    staged_at DateTime DEFAULT now()
)
ENGINE = MergeTree
ORDER BY (workspace_id, import_id, key, line)
TTL staged_at + INTERVAL 1 DAY;

-- The merged result of an import, computed once and then written to suppressions, tags and contacts.
-- @shard_by cityHash64(workspace_id, import_id)
CREATE TABLE IF NOT EXISTS contact_import_merged
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
    tags Array(Tuple(String, String)),
    merged_at DateTime DEFAULT now()
)
ENGINE = MergeTree
ORDER BY (workspace_id, import_id, user_id)
TTL merged_at + INTERVAL 1 DAY;
