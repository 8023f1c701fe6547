-- Delivered messages by the local weekday (1 = Monday) and hour of their delivery, with how many of them
-- were clicked and converted (same message_id). The audience slot is generated: '1', or a compiled rule
-- over contacts.
SELECT
    toDayOfWeek(delivered_at, 0, {tz:String}) AS weekday,
    toHour(delivered_at, {tz:String}) AS hour,
    count() AS delivered,
    countIf(clicked) AS clicks,
    countIf(converted) AS conversions
FROM
(
    SELECT
        message_id,
        minIf(ts, type = 'delivery' AND status = 'delivered') AS delivered_at,
        countIf(type = 'click') > 0 AS clicked,
        countIf(type = 'conversion') > 0 AS converted
    FROM events
    WHERE workspace_id = {workspace:String} AND message_id != ''
      AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
      AND ({{audience}})
    GROUP BY message_id
    HAVING countIf(type = 'delivery' AND status = 'delivered') > 0
)
GROUP BY weekday, hour
ORDER BY weekday, hour
