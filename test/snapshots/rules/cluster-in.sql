SELECT
    count() AS n,
    groupArraySorted({sample:UInt32})(user_id) AS ids
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND (user_id IN (SELECT user_id FROM cluster_assignments WHERE workspace_id = {workspace:String} AND model_id = {p0:String} AND cluster IN {p1:Array(UInt32)}))

-- params:
-- {
--   "workspace": "ws_snap",
--   "now": "2026-11-20 10:30:00.000",
--   "tz": "Asia/Shanghai",
--   "p0": "km_1",
--   "p1": [
--     0,
--     2
--   ]
-- }
