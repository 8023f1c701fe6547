SELECT
    overall,
    grp,
    averages,
    medians,
    if(empty(totals), [], arrayMap(b -> (lo + b * width, lo + (b + 1) * width, arrayCount(t -> t >= lo + b * width AND (t < lo + (b + 1) * width OR b + 1 = bins), totals)), range(bins))) AS histogram
FROM
(
    SELECT
        overall,
        grp,
        [CAST(NULL AS Nullable(Float64)), avgIf((times[2] - times[1]) / 1000, level >= 2)] AS averages,
        [CAST(NULL AS Nullable(Float64)), quantileExactInclusiveIf(0.5)((times[2] - times[1]) / 1000, level >= 2)] AS medians,
        groupArrayIf((times[{steps:UInt8}] - times[1]) / 1000, level >= {steps:UInt8}) AS totals,
        if(empty(totals), 0, arrayMin(totals)) AS lo,
        toUInt64(least(60, greatest(1, ceil(cbrt(length(totals)))))) AS bins,
        greatest(1, ceil((if(empty(totals), 0, arrayMax(totals)) - lo) / bins)) AS width
    FROM
    (
        SELECT
            s.1 AS overall,
            s.2 AS grp,
            level,
            times
        FROM (SELECT
    if(user_id != '', user_id, phone) AS unit,
    [(toUInt8(1), ''), (toUInt8(0), argMinIf(campaign_id, ts, (type = {p0:String}) AND ts < {to:DateTime64(3, 'UTC')}))] AS sets,
    arraySort(x -> (x.1, x.2 = 0, bitAnd(x.2, bitNot(x.2) + 1)), groupArray((toInt64(toUnixTimestamp64Milli(ts)), toUInt32(if((type = {p0:String}) AND ts < {to:DateTime64(3, 'UTC')}, 1, 0) + if((type = {p1:String}), 2, 0)), toUInt32(0)))) AS ev, arrayMap(p -> arrayMap(best -> (best, toUInt8(best > 0 AND NOT arrayExists(q -> q.1 = best AND q.2 = 0, p))), [arrayMax(q -> q.1, p)])[1], [arrayMap(x -> if(x.2 = 0 OR x.1 >= {to_ms:Int64}, (toUInt8(0), toUInt8(0)), arrayMap(w -> (toUInt8(least(arrayCount(y -> y.2 != 0, w), least(1, arrayCount(y -> bitAnd(y.2, 1) != 0, w)) + least(1, arrayCount(y -> bitAnd(y.2, 2) != 0, w)))), toUInt8(arrayExists(y -> y.3 != 0 AND y.1 <= arrayMax(arrayMap(y -> if(y.2 != 0, y.1, 0), w)), w))), [arrayFilter(y -> y.1 >= x.1 AND y.1 <= x.1 + {window_ms:UInt64}, ev)])[1]), ev)])[1] AS f, if(f.2 = 1, toUInt8(0), f.1) AS level, emptyArrayInt64() AS times
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
  AND (1)
  AND (((type = {p0:String}) AND ts < {to:DateTime64(3, 'UTC')}) OR ((type = {p1:String})))
  AND (cityHash64(unit) % {sample_modulus:UInt64} < greatest({p2:UInt64}, {p3:UInt64}))
GROUP BY unit
HAVING unit != '' AND level >= 2)
        ARRAY JOIN sets AS s
        WHERE cityHash64(unit) % {sample_modulus:UInt64} < if(s.1 = 1, {p2:UInt64}, transform(s.2, {p4:Array(String)}, {p5:Array(UInt64)}, toUInt64(0)))
    )
    GROUP BY overall, grp
)

-- params:
-- {
--   "workspace": "ws_snap",
--   "from": "2026-11-01 00:00:00.000",
--   "to": "2026-11-08 00:00:00.000",
--   "until": "2026-11-09 00:00:00.000",
--   "window_ms": 86400000,
--   "to_ms": 1794096000000,
--   "p0": "click",
--   "p1": "conversion",
--   "sample_modulus": 1048576,
--   "steps": 2,
--   "p2": 4096,
--   "p3": 8192,
--   "p4": [
--     "c1",
--     "c2"
--   ],
--   "p5": [
--     8192,
--     4096
--   ]
-- }
