-- The daily rollup keeps its counts under the hashed unit (the same hash the events now carry).
INSERT INTO contact_daily (workspace_id, type, day, unit, status, events, revenue, last_ts)
SELECT workspace_id, type, day, concat('sha256:', lower(hex(SHA256(concat(workspace_id, ':', unit))))), status, events, revenue, last_ts
FROM contact_daily
WHERE workspace_id = {workspace:String} AND unit IN {identifiers:Array(String)}
