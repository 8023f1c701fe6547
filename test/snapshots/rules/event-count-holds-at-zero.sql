SELECT
    count() AS n,
    groupArraySorted({sample:UInt32})(user_id) AS ids
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND (user_id NOT IN (SELECT unit FROM (SELECT unit, toUInt64(events) AS c FROM contact_daily WHERE (workspace_id = {workspace:String}) AND (type = {p0:String}) AND (day > toDate(toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC'))) AND (day < toDate({now:DateTime64(3, 'UTC')})) UNION ALL SELECT if(user_id != '', user_id, phone) AS unit, toUInt64(1) AS c FROM events WHERE (workspace_id = {workspace:String}) AND (type = {p0:String}) AND (ts <= {now:DateTime64(3, 'UTC')}) AND (ts >= toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC')) AND (toDate(ts) IN (toDate(toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC')), toDate({now:DateTime64(3, 'UTC')})))) GROUP BY unit HAVING NOT (sum(c) < {p2:UInt64})))

-- params:
-- {
--   "workspace": "ws_snap",
--   "now": "2026-11-20 10:30:00.000",
--   "tz": "Asia/Shanghai",
--   "p0": "send",
--   "p1": 30,
--   "p2": 2
-- }
