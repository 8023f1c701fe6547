-- The UTC hours in [first, first + hours) that one bucket of the requested interval and zone does not hold
-- whole: a bucket boundary falls inside the hour (zones at +05:45, +05:30, old local mean times), or the zone's
-- offset changes within it. Those hours are read from raw events; the others from metrics_hourly. The bucket
-- slots are the metric bucket expressions (a fixed catalogue) over the hour's first and last second.
SELECT toUnixTimestamp(hour) AS hour_s
FROM
(
    SELECT {first:DateTime('UTC')} + toIntervalHour(number) AS hour
    FROM numbers({hours:UInt64})
)
WHERE timeZoneOffset(toTimeZone(hour, {tz:String})) != timeZoneOffset(toTimeZone(hour + 3599, {tz:String}))
   OR toUnixTimestamp({{bucket_first}}) != toUnixTimestamp({{bucket_last}})
ORDER BY hour_s
