SELECT
    count() AS n,
    groupArraySorted({sample:UInt32})(user_id) AS ids
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND (user_id IN (SELECT user_id FROM rfm_scores WHERE workspace_id = {workspace:String} AND run_id = (SELECT argMax(run_id, computed_at) FROM rfm_scores WHERE workspace_id = {workspace:String}) AND segment = {p0:String} AND r BETWEEN {p1:UInt8} AND {p2:UInt8} AND f IN {p3:Array(UInt8)} AND m >= {p4:UInt8}))

-- params:
-- {
--   "workspace": "ws_snap",
--   "now": "2026-11-20 10:30:00.000",
--   "tz": "Asia/Shanghai",
--   "p0": "champions",
--   "p1": 4,
--   "p2": 5,
--   "p3": [
--     3,
--     4
--   ],
--   "p4": 2
-- }
