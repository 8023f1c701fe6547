SELECT
    overall,
    grp,
    [CAST(NULL AS Nullable(Float64)), quantileExactIf(0.5)(dateDiff('millisecond', t1, t2) / 1000, level >= 2), quantileExactIf(0.5)(dateDiff('millisecond', t2, t3) / 1000, level >= 3)] AS medians
FROM
(
    SELECT
        overall,
        grp,
        level,
        s1[1] AS t1, arrayFirst(x -> x >= t1, s2) AS t2, arrayFirst(x -> x >= t2, s3) AS t3
    FROM
    (
        SELECT
            if(user_id != '', user_id, phone) AS unit,
            '' AS grp,
            1 AS overall,
            windowFunnel({window_ms:UInt64})(toUInt64(toUnixTimestamp64Milli(ts)), (type = {p0:String}) AND (status = 'accepted') AND ts < {to:DateTime64(3, 'UTC')}, (type = {p1:String}) AND (status = 'delivered'), (type = {p2:String})) AS level,
            arraySort(groupArrayIf(ts, (type = {p0:String}) AND (status = 'accepted') AND ts < {to:DateTime64(3, 'UTC')})) AS s1,
            arraySort(groupArrayIf(ts, (type = {p1:String}) AND (status = 'delivered'))) AS s2,
            arraySort(groupArrayIf(ts, (type = {p2:String}))) AS s3
        FROM events
        WHERE workspace_id = {workspace:String}
          AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
          AND (1)
          AND (((type = {p0:String}) AND (status = 'accepted') AND ts < {to:DateTime64(3, 'UTC')}) OR ((type = {p1:String}) AND (status = 'delivered')) OR ((type = {p2:String})))
          AND cityHash64(unit) % {sample_modulus:UInt64} < {p3:UInt64}
        GROUP BY unit
        HAVING unit != '' AND level >= 2 AND cityHash64(unit) % {sample_modulus:UInt64} < {p3:UInt64}
    )
)
GROUP BY overall, grp

-- params:
-- {
--   "workspace": "ws_snap",
--   "from": "2026-11-01 00:00:00.000",
--   "to": "2026-11-08 00:00:00.000",
--   "until": "2026-11-09 00:00:00.000",
--   "window_ms": 86400000,
--   "p0": "send",
--   "p1": "delivery",
--   "p2": "click",
--   "sample_modulus": 1048576,
--   "p3": 4096
-- }
