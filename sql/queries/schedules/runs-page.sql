-- A page of a job's runs, newest slot first, before the slot {before} (epoch ms; 0 = from the newest): the
-- newest row of each slot.
SELECT
    toUnixTimestamp64Milli(slot) AS slot_ms,
    started_at,
    finished_at,
    status,
    size,
    audience_version,
    error
FROM schedule_runs
WHERE workspace_id = {workspace:String} AND job_kind = {kind:String} AND job_id = {id:String}
    AND ({before:Int64} = 0 OR slot < fromUnixTimestamp64Milli({before:Int64}, 'UTC'))
ORDER BY slot DESC, version DESC
LIMIT 1 BY slot
LIMIT {limit:UInt32}
