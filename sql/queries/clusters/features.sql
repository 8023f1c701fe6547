-- Behaviour features of every contact over the window (events matched by user_id, or by phone when the
-- event has none): recency of the last conversion in days (the window length when none), conversions,
-- revenue, click rate and conversion rate per delivery, VIP level.
SELECT
    c.user_id AS user_id,
    toFloat64(ifNull(least({window:UInt32}, dateDiff('second', e.last_conversion, {now:DateTime64(3, 'UTC')}) / 86400), {window:UInt32})) AS recency_days,
    toFloat64(ifNull(e.conversions, 0)) AS frequency,
    toFloat64(ifNull(e.revenue, 0)) AS monetary,
    toFloat64(if(ifNull(e.deliveries, 0) = 0, 0, e.clicks / e.deliveries)) AS click_rate,
    toFloat64(if(ifNull(e.deliveries, 0) = 0, 0, e.conversions / e.deliveries)) AS conversion_rate,
    toFloat64(c.vip_level) AS vip_level
FROM contacts AS c FINAL
LEFT JOIN
(
    SELECT
        if(user_id != '', user_id, phone) AS unit,
        maxIf(ts, type = 'conversion') AS last_conversion_raw,
        if(countIf(type = 'conversion') = 0, NULL, last_conversion_raw) AS last_conversion,
        countIf(type = 'conversion') AS conversions,
        toFloat64(sumIf(revenue, type = 'conversion')) AS revenue,
        countIf(type = 'click') AS clicks,
        countIf(type = 'delivery' AND status = 'delivered') AS deliveries
    FROM events FINAL
    WHERE workspace_id = {workspace:String} AND ts > {now:DateTime64(3, 'UTC')} - toIntervalDay({window:UInt32}) AND ts <= {now:DateTime64(3, 'UTC')}
    GROUP BY unit
) AS e ON e.unit = c.user_id
WHERE c.workspace_id = {workspace:String}
