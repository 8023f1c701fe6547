SELECT
    count() AS n,
    groupArraySorted({sample:UInt32})(user_id) AS ids
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND (ifNull((signup_at >= toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p0:UInt32}), 'UTC') AND signup_at <= {now:DateTime64(3, 'UTC')}), 0))

-- params:
-- {
--   "workspace": "ws_snap",
--   "now": "2026-11-20 10:30:00.000",
--   "tz": "Asia/Shanghai",
--   "p0": 30
-- }
