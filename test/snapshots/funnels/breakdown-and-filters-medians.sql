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
            message_id AS unit,
            campaign_id AS grp,
            grouping(grp) AS overall,
            windowFunnel({window_ms:UInt64})(toUInt64(toUnixTimestamp64Milli(ts)), (type = {p0:String}) AND (status = 'accepted') AND ts < {to:DateTime64(3, 'UTC')}, (type = {p1:String}) AND ((positionUTF8(properties[{p2:String}], {p3:String}) > 0)), (type = {p4:String}) AND ((toFloat64(revenue) >= {p5:Float64}))) AS level,
            arraySort(groupArrayIf(ts, (type = {p0:String}) AND (status = 'accepted') AND ts < {to:DateTime64(3, 'UTC')})) AS s1,
            arraySort(groupArrayIf(ts, (type = {p1:String}) AND ((positionUTF8(properties[{p2:String}], {p3:String}) > 0)))) AS s2,
            arraySort(groupArrayIf(ts, (type = {p4:String}) AND ((toFloat64(revenue) >= {p5:Float64})))) AS s3
        FROM events
        WHERE workspace_id = {workspace:String}
          AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
          AND ((channel = {p6:String}))
          AND (((type = {p0:String}) AND (status = 'accepted') AND ts < {to:DateTime64(3, 'UTC')}) OR ((type = {p1:String}) AND ((positionUTF8(properties[{p2:String}], {p3:String}) > 0))) OR ((type = {p4:String}) AND ((toFloat64(revenue) >= {p5:Float64}))))
          AND cityHash64(unit) % {sample_modulus:UInt64} < greatest({p7:UInt64}, transform(grp, {p8:Array(String)}, {p9:Array(UInt64)}, toUInt64(0)))
        GROUP BY GROUPING SETS ((unit), (unit, grp))
        HAVING unit != '' AND level >= 2 AND cityHash64(unit) % {sample_modulus:UInt64} < if(overall = 1, {p7:UInt64}, transform(grp, {p8:Array(String)}, {p9:Array(UInt64)}, toUInt64(0)))
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
--   "p1": "click",
--   "p2": "url",
--   "p3": "/promo",
--   "p4": "conversion",
--   "p5": 1,
--   "p6": "106",
--   "sample_modulus": 1048576,
--   "p7": 4096,
--   "p8": [
--     "c1",
--     "c2"
--   ],
--   "p9": [
--     8192,
--     4096
--   ]
-- }
