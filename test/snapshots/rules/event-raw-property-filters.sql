SELECT
    count() AS n,
    groupArraySorted({sample:UInt32})(user_id) AS ids
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND (user_id IN (SELECT unit FROM (SELECT if(user_id != '', user_id, phone) AS unit, toUInt64(1) AS c FROM events WHERE (workspace_id = {workspace:String}) AND (type = {p0:String}) AND (ts <= {now:DateTime64(3, 'UTC')}) AND (ts >= toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC')) AND (toFloat64(revenue) > {p2:Float64}) AND (positionUTF8(properties[{p3:String}], {p4:String}) > 0) AND (toFloat64OrNull(properties[{p5:String}]) BETWEEN {p6:Float64} AND {p7:Float64}))))

-- params:
-- {
--   "workspace": "ws_snap",
--   "now": "2026-11-20 10:30:00.000",
--   "tz": "Asia/Shanghai",
--   "p0": "conversion",
--   "p1": 14,
--   "p2": 10.5,
--   "p3": "sku",
--   "p4": "A-",
--   "p5": "size",
--   "p6": 1,
--   "p7": 5
-- }
