-- The newest row of each of a job's latest slots, newest slot first: what the scheduler checks before and
-- after it starts a run (is one in progress, which slot ran last).
SELECT
    toUnixTimestamp64Milli(slot) AS slot_ms,
    status,
    toUnixTimestamp64Milli(started_at) AS started_ms,
    toUnixTimestamp64Milli(heartbeat_at) AS heartbeat_ms
FROM schedule_runs
WHERE workspace_id = {workspace:String} AND job_kind = {kind:String} AND job_id = {id:String}
ORDER BY slot DESC, version DESC
LIMIT 1 BY slot
LIMIT {limit:UInt32}
