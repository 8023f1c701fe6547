SELECT
    overall,
    grp,
    [countIf(level >= 1), countIf(level >= 2)] AS counts
FROM
(
    SELECT
        s.1 AS overall,
        s.2 AS grp,
        level
    FROM (SELECT
    if(user_id != '', user_id, phone) AS unit,
    carrier AS grp, [(toUInt8(grouping(grp)), grp)] AS sets,
    windowFunnel({window_ms:UInt64})(toUInt64(toUnixTimestamp64Milli(ts)), (type = {p0:String}) AND (status = 'accepted') AND ts < {to:DateTime64(3, 'UTC')}, (type = {p1:String})) AS level
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
  AND (1)
  AND (((type = {p0:String}) AND (status = 'accepted') AND ts < {to:DateTime64(3, 'UTC')}) OR ((type = {p1:String})))
  AND (1)
GROUP BY GROUPING SETS ((unit), (unit, grp))
HAVING unit != '' AND level >= 1)
    ARRAY JOIN sets AS s
)
GROUP BY overall, grp
ORDER BY overall DESC, grp

-- params:
-- {
--   "workspace": "ws_snap",
--   "from": "2026-11-01 00:00:00.000",
--   "to": "2026-11-08 00:00:00.000",
--   "until": "2026-11-09 00:00:00.000",
--   "window_ms": 86400000,
--   "p0": "send",
--   "p1": "click"
-- }
