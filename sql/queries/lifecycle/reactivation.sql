-- Re-activation by a campaign (沉睡会员唤醒率). Each contact the campaign was delivered to counts once, at its first
-- delivered receipt; its stage just before that instant is the lifecycle stage function (the slot, from
-- segmentation/lifecycle-sql.ts) over its interactions before it, and it is re-activated when it interacted
-- (click, conversion, reply; any campaign) after the delivery and within {within_days} calendar days of it.
-- {window_days} is the purchase window the slot's conversions are counted over, {look_back_days} the longest
-- threshold (older interactions change no stage).
WITH deliveries AS
(
    SELECT
        if(user_id != '', user_id, phone) AS unit,
        min(ts) AS delivered_at
    FROM events
    WHERE workspace_id = {workspace:String} AND type = 'delivery' AND status = 'delivered' AND campaign_id = {campaign:String}
    GROUP BY unit
)
SELECT
    stage,
    count() AS delivered,
    countIf(touched_after > 0) AS reactivated
FROM
(
    SELECT
        {{stage}} AS stage,
        e.touched_after AS touched_after
    FROM deliveries AS d
    INNER JOIN
    (
        SELECT user_id, signup_at
        FROM contacts FINAL
        WHERE workspace_id = {workspace:String}
    ) AS c ON c.user_id = d.unit
    LEFT JOIN
    (
        SELECT
            x.unit AS unit,
            maxIf(x.ts, x.ts < y.delivered_at) AS last_touch,
            countIf(x.type = 'conversion' AND x.ts < y.delivered_at
                AND x.ts >= toTimeZone(toTimeZone(y.delivered_at, {tz:String}) - toIntervalDay({window_days:UInt32}), 'UTC')) AS conversions,
            countIf(x.ts > y.delivered_at
                AND x.ts <= toTimeZone(toTimeZone(y.delivered_at, {tz:String}) + toIntervalDay({within_days:UInt32}), 'UTC')) AS touched_after
        FROM
        (
            SELECT
                if(user_id != '', user_id, phone) AS unit,
                ts,
                type
            FROM events
            WHERE workspace_id = {workspace:String}
              AND type IN {types:Array(String)}
              AND ts >= toTimeZone(toTimeZone((SELECT min(delivered_at) FROM deliveries), {tz:String}) - toIntervalDay({look_back_days:UInt32}), 'UTC')
              AND ts <= toTimeZone(toTimeZone((SELECT max(delivered_at) FROM deliveries), {tz:String}) + toIntervalDay({within_days:UInt32}), 'UTC')
        ) AS x
        INNER JOIN deliveries AS y ON y.unit = x.unit
        GROUP BY x.unit
    ) AS e ON e.unit = d.unit
    WHERE ifNull(c.signup_at < d.delivered_at, 1)
)
GROUP BY stage
