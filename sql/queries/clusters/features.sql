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
        unit,
        if(sum(part_conversions) = 0, NULL, max(part_last_conversion)) AS last_conversion,
        sum(part_conversions) AS conversions,
        toFloat64(sum(part_revenue)) AS revenue,
        sum(part_clicks) AS clicks,
        sum(part_deliveries) AS deliveries
    FROM
    (
        -- The window is (now - window days, now]: its whole UTC days from the daily rollup, the partial
        -- days at its edges from raw events.
        SELECT
            unit,
            maxIf(last_ts, type = 'conversion') AS part_last_conversion,
            sumIf(events, type = 'conversion') AS part_conversions,
            sumIf(revenue, type = 'conversion') AS part_revenue,
            sumIf(events, type = 'click') AS part_clicks,
            sumIf(events, type = 'delivery' AND status = 'delivered') AS part_deliveries
        FROM contact_daily
        WHERE workspace_id = {workspace:String} AND type IN ('conversion', 'click', 'delivery')
          AND day > toDate({now:DateTime64(3, 'UTC')} - toIntervalDay({window:UInt32})) AND day < toDate({now:DateTime64(3, 'UTC')})
        GROUP BY unit
        UNION ALL
        SELECT
            if(user_id != '', user_id, phone) AS unit,
            maxIf(ts, type = 'conversion') AS part_last_conversion,
            countIf(type = 'conversion') AS part_conversions,
            toDecimal128(sumIf(revenue, type = 'conversion'), 4) AS part_revenue,
            countIf(type = 'click') AS part_clicks,
            countIf(type = 'delivery' AND status = 'delivered') AS part_deliveries
        FROM events
        WHERE workspace_id = {workspace:String} AND type IN ('conversion', 'click', 'delivery')
          AND ts > {now:DateTime64(3, 'UTC')} - toIntervalDay({window:UInt32}) AND ts <= {now:DateTime64(3, 'UTC')}
          AND toDate(ts) IN (toDate({now:DateTime64(3, 'UTC')} - toIntervalDay({window:UInt32})), toDate({now:DateTime64(3, 'UTC')}))
        GROUP BY unit
    )
    GROUP BY unit
) AS e ON e.unit = c.user_id
WHERE c.workspace_id = {workspace:String}
