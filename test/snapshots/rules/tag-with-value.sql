SELECT
    count() AS n,
    groupArraySorted({sample:UInt32})(user_id) AS ids
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND (user_id IN (SELECT user_id FROM tags FINAL WHERE workspace_id = {workspace:String} AND tag = {p1:String} AND value = {p0:String}))

-- params:
-- {
--   "workspace": "ws_snap",
--   "now": "2026-11-20 10:30:00.000",
--   "tz": "Asia/Shanghai",
--   "p0": "gold",
--   "p1": "tier"
-- }
