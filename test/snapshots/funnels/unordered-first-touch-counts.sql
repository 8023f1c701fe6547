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
    [(toUInt8(1), ''), (toUInt8(0), argMinIf(campaign_id, ts, (type = {p0:String}) AND ts < {to:DateTime64(3, 'UTC')}))] AS sets,
    arraySort(x -> (x.1, x.2 = 0, bitAnd(x.2, bitNot(x.2) + 1)), groupArray((toInt64(toUnixTimestamp64Milli(ts)), toUInt32(if((type = {p0:String}) AND ts < {to:DateTime64(3, 'UTC')}, 1, 0) + if((type = {p1:String}), 2, 0)), toUInt32(0)))) AS ev, arrayMap(p -> arrayMap(best -> (best, toUInt8(best > 0 AND NOT arrayExists(q -> q.1 = best AND q.2 = 0, p))), [arrayMax(q -> q.1, p)])[1], [arrayMap(x -> if(x.2 = 0 OR x.1 >= {to_ms:Int64}, (toUInt8(0), toUInt8(0)), arrayMap(w -> (toUInt8(least(arrayCount(y -> y.2 != 0, w), least(1, arrayCount(y -> bitAnd(y.2, 1) != 0, w)) + least(1, arrayCount(y -> bitAnd(y.2, 2) != 0, w)))), toUInt8(arrayExists(y -> y.3 != 0 AND y.1 <= arrayMax(arrayMap(y -> if(y.2 != 0, y.1, 0), w)), w))), [arrayFilter(y -> y.1 >= x.1 AND y.1 <= x.1 + {window_ms:UInt64}, ev)])[1]), ev)])[1] AS f, if(f.2 = 1, toUInt8(0), f.1) AS level, emptyArrayInt64() AS times
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
  AND (1)
  AND (((type = {p0:String}) AND ts < {to:DateTime64(3, 'UTC')}) OR ((type = {p1:String})))
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
--   "to_ms": 1794096000000,
--   "p0": "click",
--   "p1": "conversion"
-- }
