SELECT
    count() AS n,
    groupArraySorted({sample:UInt32})(user_id) AS ids
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND (ifNull((toMonth(birthday) = toMonth(toDate({now:DateTime64(3, 'UTC')}, {tz:String})) AND toDayOfMonth(birthday) = toDayOfMonth(toDate({now:DateTime64(3, 'UTC')}, {tz:String}))), 0))

-- params:
-- {
--   "workspace": "ws_snap",
--   "now": "2026-11-20 10:30:00.000",
--   "tz": "Asia/Shanghai"
-- }
