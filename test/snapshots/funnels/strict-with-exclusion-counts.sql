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
    if(user_id != '', user_id, phone) AS unit,
    [(toUInt8(1), '')] AS sets,
    arraySort(x -> (x.1, x.2 = 0, bitAnd(x.2, bitNot(x.2) + 1)), groupArray((toInt64(toUnixTimestamp64Milli(ts)), toUInt32(if((type = {p0:String}) AND (status = 'accepted') AND ts < {to:DateTime64(3, 'UTC')}, 1, 0) + if((type = {p1:String}), 2, 0) + if((type = {p2:String}), 4, 0)), toUInt32(if((type = {p3:String}), 3, 0))))) AS ev, arrayFold((a, e) -> arrayMap(mk -> CAST(tuple([if((bitTest(e.2, 0) AND 1 AND NOT (a.1[1] != 0 AND a.1[1] = e.1)), e.1, if(bitTest(e.2, 0), a.1[1], toInt64(0))), if(((bitTest(e.2, 1) AND (a.1[1] != 0 AND e.1 - a.1[1] <= {window_ms:UInt64}) AND NOT (a.1[2] != 0 AND a.1[2] = a.1[1])) AND a.2[1] = 0), a.1[1], if(bitTest(e.2, 1), a.1[2], toInt64(0))), if(((bitTest(e.2, 2) AND (a.1[2] != 0 AND e.1 - a.1[2] <= {window_ms:UInt64}) AND NOT (a.1[3] != 0 AND a.1[3] = a.1[2])) AND a.2[2] = 0), a.1[2], if(bitTest(e.2, 2), a.1[3], toInt64(0)))],
 [if((bitTest(e.2, 0) AND 1 AND NOT (a.1[1] != 0 AND a.1[1] = e.1)), toUInt8(0), if(bitTest(e.2, 0), if((bitTest(e.3, 0) AND a.1[1] != 0 AND e.1 - a.1[1] <= {window_ms:UInt64} AND NOT (a.1[2] != 0 AND a.1[2] = a.1[1])), toUInt8(1), a.2[1]), toUInt8(0))), if(((bitTest(e.2, 1) AND (a.1[1] != 0 AND e.1 - a.1[1] <= {window_ms:UInt64}) AND NOT (a.1[2] != 0 AND a.1[2] = a.1[1])) AND a.2[1] = 0), toUInt8(0), if(bitTest(e.2, 1), if((bitTest(e.3, 1) AND a.1[2] != 0 AND e.1 - a.1[2] <= {window_ms:UInt64} AND NOT (a.1[3] != 0 AND a.1[3] = a.1[2])), toUInt8(1), a.2[2]), toUInt8(0))), if(((bitTest(e.2, 2) AND (a.1[2] != 0 AND e.1 - a.1[2] <= {window_ms:UInt64}) AND NOT (a.1[3] != 0 AND a.1[3] = a.1[2])) AND a.2[2] = 0), toUInt8(0), if(bitTest(e.2, 2), a.2[3], toUInt8(0)))],
 [if((bitTest(e.2, 0) AND 1 AND NOT (a.1[1] != 0 AND a.1[1] = e.1)), arrayPushBack(emptyArrayInt64(), e.1), if(bitTest(e.2, 0), a.3[1], emptyArrayInt64())), if(((bitTest(e.2, 1) AND (a.1[1] != 0 AND e.1 - a.1[1] <= {window_ms:UInt64}) AND NOT (a.1[2] != 0 AND a.1[2] = a.1[1])) AND a.2[1] = 0), arrayPushBack(a.3[1], e.1), if(bitTest(e.2, 1), a.3[2], emptyArrayInt64())), if(((bitTest(e.2, 2) AND (a.1[2] != 0 AND e.1 - a.1[2] <= {window_ms:UInt64}) AND NOT (a.1[3] != 0 AND a.1[3] = a.1[2])) AND a.2[2] = 0), arrayPushBack(a.3[2], e.1), if(bitTest(e.2, 2), a.3[3], emptyArrayInt64()))],
 if(mk = 0, a.4, mk),
 if(mk = 0, a.5, [e.1, a.1[1], a.1[2]][mk]),
 if(mk = 0, toUInt8(a.6 OR ((bitTest(e.3, 0) AND a.1[1] != 0 AND e.1 - a.1[1] <= {window_ms:UInt64} AND NOT (a.1[2] != 0 AND a.1[2] = a.1[1])) AND a.2[1] = 0 AND a.4 = 1 AND e.1 - a.5 <= {window_ms:UInt64}) OR ((bitTest(e.3, 1) AND a.1[2] != 0 AND e.1 - a.1[2] <= {window_ms:UInt64} AND NOT (a.1[3] != 0 AND a.1[3] = a.1[2])) AND a.2[2] = 0 AND a.4 = 2 AND e.1 - a.5 <= {window_ms:UInt64})), [toUInt8(0), a.2[1], a.2[2]][mk]),
 if(mk = 0, a.7, [arrayPushBack(emptyArrayInt64(), e.1), arrayPushBack(a.3[1], e.1), arrayPushBack(a.3[2], e.1)][mk])), 'Tuple(Array(Int64), Array(UInt8), Array(Array(Int64)), UInt8, Int64, UInt8, Array(Int64))'), [toUInt8(multiIf((bitTest(e.2, 2) AND (a.1[2] != 0 AND e.1 - a.1[2] <= {window_ms:UInt64}) AND NOT (a.1[3] != 0 AND a.1[3] = a.1[2])) AND (3 > a.4 OR (3 = a.4 AND a.6 = 1)), 3, (bitTest(e.2, 1) AND (a.1[1] != 0 AND e.1 - a.1[1] <= {window_ms:UInt64}) AND NOT (a.1[2] != 0 AND a.1[2] = a.1[1])) AND (2 > a.4 OR (2 = a.4 AND a.6 = 1)), 2, (bitTest(e.2, 0) AND 1 AND NOT (a.1[1] != 0 AND a.1[1] = e.1)) AND (1 > a.4 OR (1 = a.4 AND a.6 = 1)), 1, 0))])[1], arrayFilter((x, t) -> x.2 != 0 OR t != x.1, ev, arrayFill(t -> t != -1, arrayMap(x -> if(x.2 != 0, x.1, -1), ev))), CAST(tuple(arrayWithConstant(3, toInt64(0)), arrayWithConstant(3, toUInt8(0)), arrayWithConstant(3, emptyArrayInt64()), 0, 0, 0, emptyArrayInt64()), 'Tuple(Array(Int64), Array(UInt8), Array(Array(Int64)), UInt8, Int64, UInt8, Array(Int64))')) AS f, if(f.6 = 1, toUInt8(0), f.4) AS level, f.7 AS times
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
  AND (1)
  AND (1)
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
--   "p2": "conversion",
--   "p3": "unsubscribe"
-- }
