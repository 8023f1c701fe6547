SELECT
    count() AS n,
    groupArraySorted({sample:UInt32})(user_id) AS ids
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND (((ifNull((region = {p0:String}), 0) OR user_id IN (SELECT user_id FROM tags FINAL WHERE workspace_id = {workspace:String} AND tag = {p1:String})) AND (NOT user_id IN (SELECT unit FROM (SELECT unit, toUInt64(events) AS c FROM contact_daily WHERE (workspace_id = {workspace:String}) AND (type = {p2:String}) AND (day > toDate(toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p3:UInt32}), 'UTC'))) AND (day < toDate({now:DateTime64(3, 'UTC')})) UNION ALL SELECT if(user_id != '', user_id, phone) AS unit, toUInt64(1) AS c FROM events WHERE (workspace_id = {workspace:String}) AND (type = {p2:String}) AND (ts <= {now:DateTime64(3, 'UTC')}) AND (ts >= toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p3:UInt32}), 'UTC')) AND (toDate(ts) IN (toDate(toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p3:UInt32}), 'UTC')), toDate({now:DateTime64(3, 'UTC')})))))) AND (NOT (ifNull((consent = {p4:String}), 0) OR user_id IN (SELECT user_id FROM rfm_scores WHERE workspace_id = {workspace:String} AND run_id = (SELECT argMax(run_id, computed_at) FROM rfm_scores WHERE workspace_id = {workspace:String}) AND segment = {p5:String})))))

-- params:
-- {
--   "workspace": "ws_snap",
--   "now": "2026-11-20 10:30:00.000",
--   "tz": "Asia/Shanghai",
--   "p0": "East",
--   "p1": "vip",
--   "p2": "complaint",
--   "p3": 90,
--   "p4": "no",
--   "p5": "lost"
-- }
