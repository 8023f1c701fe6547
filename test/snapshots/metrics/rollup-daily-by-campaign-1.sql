SELECT toUnixTimestamp(hour) AS hour_s
FROM
(
    SELECT {first:DateTime('UTC')} + toIntervalHour(number) AS hour
    FROM numbers({hours:UInt64})
)
WHERE timeZoneOffset(toTimeZone(hour, {tz:String})) != timeZoneOffset(toTimeZone(hour + 3599, {tz:String}))
   OR toUnixTimestamp(toStartOfDay(hour, {tz:String})) != toUnixTimestamp(toStartOfDay((hour + 3599), {tz:String}))
ORDER BY hour_s

-- params:
-- {
--   "first": "2026-11-01 01:00:00",
--   "hours": 683,
--   "tz": "Asia/Shanghai"
-- }
