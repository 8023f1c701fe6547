-- Web app sessions: an API key typed once at sign-in is exchanged for a random session secret held in an HttpOnly
-- cookie; only the secret's SHA-256 is stored. A session acts as its key (its workspace and role) until it expires,
-- is ended (sign-out appends a row with ended = 1), or its key is revoked. Rows leave a day after they expire.
-- @shard_by cityHash64(session_hash)
CREATE TABLE IF NOT EXISTS sessions
(
    session_hash String,
    workspace_id LowCardinality(String),
    key_id String,
    created_at DateTime64(3, 'UTC'),
    expires_at DateTime64(3, 'UTC'),
    ended UInt8
)
ENGINE = MergeTree
ORDER BY session_hash
TTL toDateTime(expires_at) + INTERVAL 1 DAY;
