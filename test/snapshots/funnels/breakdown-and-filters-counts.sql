SELECT
    overall,
    grp,
    [countIf(level >= 1), countIf(level >= 2), countIf(level >= 3)] AS counts
FROM
(
    SELECT
        s.1 AS overall,
        s.2 AS grp,
        level
    FROM (SELECT
    message_id AS unit,
    [(toUInt8(1), ''), (toUInt8(0), argMinIf(campaign_id, ts, (type = {p0:String}) AND (status = 'accepted') AND ts < {to:DateTime64(3, 'UTC')}))] AS sets,
    windowFunnel({window_ms:UInt64})(toUInt64(toUnixTimestamp64Milli(ts)), (type = {p0:String}) AND (status = 'accepted') AND ts < {to:DateTime64(3, 'UTC')}, (type = {p1:String}) AND ((positionUTF8(properties[{p2:String}], {p3:String}) > 0)), (type = {p4:String}) AND ((toFloat64(revenue) >= {p5:Float64}))) AS level
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
  AND ((channel = {p6:String}))
  AND (((type = {p0:String}) AND (status = 'accepted') AND ts < {to:DateTime64(3, 'UTC')}) OR ((type = {p1:String}) AND ((positionUTF8(properties[{p2:String}], {p3:String}) > 0))) OR ((type = {p4:String}) AND ((toFloat64(revenue) >= {p5:Float64}))))
  AND (1)
GROUP BY unit
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
--   "p1": "click",
--   "p2": "url",
--   "p3": "/promo",
--   "p4": "conversion",
--   "p5": 1,
--   "p6": "106"
-- }
