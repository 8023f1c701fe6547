-- Property keys of the workspace's recent events of each type, most frequent first, at most {limit} per type
-- (a behaviour leaf's filter picker). Reads a bounded time range of events, never FINAL.
SELECT type, key, count() AS events
FROM events
ARRAY JOIN mapKeys(properties) AS key
WHERE workspace_id = {workspace:String} AND ts >= {from:DateTime64(3, 'UTC')}
GROUP BY type, key
ORDER BY type, events DESC, key
LIMIT {limit:UInt32} BY type
