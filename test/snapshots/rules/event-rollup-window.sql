SELECT
    count() AS n,
    groupArraySorted({sample:UInt32})(user_id) AS ids
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND (user_id IN (SELECT unit FROM (SELECT unit, toUInt64(events) AS c FROM contact_daily_dims WHERE (workspace_id = {workspace:String}) AND (type = {p0:String}) AND (day > toDate(toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC'))) AND (day < toDate({now:DateTime64(3, 'UTC')})) AND (campaign_id IN {p3:Array(String)}) UNION ALL SELECT if(user_id != '', user_id, phone) AS unit, toUInt64(1) AS c FROM events WHERE (workspace_id = {workspace:String}) AND (type = {p0:String}) AND (ts <= {now:DateTime64(3, 'UTC')}) AND (ts >= toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC')) AND (campaign_id IN {p2:Array(String)}) AND (toDate(ts) IN (toDate(toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC')), toDate({now:DateTime64(3, 'UTC')}))))))

-- params:
-- {
--   "workspace": "ws_snap",
--   "now": "2026-11-20 10:30:00.000",
--   "tz": "Asia/Shanghai",
--   "p0": "click",
--   "p1": 7,
--   "p2": [
--     "c1",
--     "c2"
--   ],
--   "p3": [
--     "c1",
--     "c2"
--   ]
-- }
