SELECT
    count() AS n,
    groupArraySorted({sample:UInt32})(user_id) AS ids
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND (user_id IN (SELECT user_id FROM (SELECT c.user_id AS user_id, c.at AS at, multiIf(ifNull(c.signup_at >= toTimeZone(toTimeZone(c.at, {tz:String}) - toIntervalDay({p3:UInt32}), 'UTC'), 0), 'new', greatest(ifNull(e.last_touch, toDateTime64(0, 3, 'UTC')), ifNull(c.signup_at, toDateTime64(0, 3, 'UTC'))) < toTimeZone(toTimeZone(c.at, {tz:String}) - toIntervalDay({p4:UInt32}), 'UTC'), 'churned', greatest(ifNull(e.last_touch, toDateTime64(0, 3, 'UTC')), ifNull(c.signup_at, toDateTime64(0, 3, 'UTC'))) < toTimeZone(toTimeZone(c.at, {tz:String}) - toIntervalDay({p5:UInt32}), 'UTC'), 'dormant', e.conversions >= {p6:UInt64}, 'loyal', e.conversions >= {p7:UInt64}, 'repeat', 'active') AS stage FROM (SELECT user_id, signup_at, at FROM contacts FINAL ARRAY JOIN [{now:DateTime64(3, 'UTC')}] AS at WHERE (workspace_id = {workspace:String}) AND (ifNull(signup_at < at, 1))) AS c LEFT JOIN (SELECT if(user_id != '', user_id, phone) AS unit, at, max(ts) AS last_touch, countIf(type = 'conversion' AND ts >= toTimeZone(toTimeZone(at, {tz:String}) - toIntervalDay({p0:UInt32}), 'UTC')) AS conversions FROM events ARRAY JOIN [{now:DateTime64(3, 'UTC')}] AS at WHERE (workspace_id = {workspace:String}) AND (type IN {p2:Array(String)}) AND (ts >= toTimeZone(toTimeZone(arrayMin([{now:DateTime64(3, 'UTC')}]), {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC')) AND (ts < at) GROUP BY unit, at) AS e ON e.unit = c.user_id AND e.at = c.at) WHERE stage IN {p8:Array(String)}))

-- params:
-- {
--   "workspace": "ws_snap",
--   "now": "2026-11-20 10:30:00.000",
--   "tz": "Asia/Shanghai",
--   "p0": 90,
--   "p1": 90,
--   "p2": [
--     "click",
--     "conversion",
--     "reply"
--   ],
--   "p3": 15,
--   "p4": 90,
--   "p5": 30,
--   "p6": 4,
--   "p7": 2,
--   "p8": [
--     "dormant",
--     "churned"
--   ]
-- }
