SELECT
    bucket_s,
    grp,
    sum(sends) AS sends,
    sum(accepted) AS accepted,
    sum(delivered) AS delivered,
    sum(clicks) AS clicks,
    sum(conversions) AS conversions,
    sum(complaints) AS complaints,
    sum(unsubscribes) AS unsubscribes,
    toFloat64(sum(revenue_sum)) AS revenue_total
FROM
(
    SELECT
        toUnixTimestamp(toStartOfDay(hour, {tz:String})) AS bucket_s,
        grp, sends, accepted, delivered, clicks, conversions, complaints, unsubscribes, revenue_sum
    FROM
    (
        SELECT
            hour,
            campaign_id AS grp,
            sum(sends) AS sends, sum(accepted) AS accepted, sum(delivered) AS delivered, sum(clicks) AS clicks,
            sum(conversions) AS conversions, sum(complaints) AS complaints, sum(unsubscribes) AS unsubscribes,
            sum(revenue) AS revenue_sum
        FROM metrics_hourly
        WHERE workspace_id = {workspace:String}
          AND hour >= {rollup_from:DateTime('UTC')} AND hour < {rollup_to:DateTime('UTC')}
          AND NOT has({raw_hours:Array(UInt32)}, toUnixTimestamp(hour))
          AND ((region IN {p2:Array(String)}))
        GROUP BY hour, grp
    )
    UNION ALL
    SELECT
        toUnixTimestamp(toStartOfDay(ts, {tz:String})) AS bucket_s,
        campaign_id AS grp,
        countIf(type = 'send') AS sends,
countIf(type = 'send' AND status = 'accepted') AS accepted,
countIf(type = 'delivery' AND status = 'delivered') AS delivered,
countIf(type = 'click') AS clicks,
countIf(type = 'conversion') AS conversions,
countIf(type = 'complaint') AS complaints,
countIf(type = 'unsubscribe' OR (type = 'reply' AND upper(trimBoth(properties['text'])) IN ('TD', 'T'))) AS unsubscribes,
        toDecimal128(sum(revenue), 4) AS revenue_sum
    FROM events
    WHERE workspace_id = {workspace:String}
      AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
      AND ((ts >= {p0:DateTime64(3, 'UTC')} AND ts < {p1:DateTime64(3, 'UTC')}))
      AND ((region IN {p2:Array(String)}))
    GROUP BY bucket_s, grp
)
GROUP BY bucket_s, grp
ORDER BY bucket_s, grp

-- params:
-- {
--   "workspace": "ws_snap",
--   "from": "2026-11-01 00:30:00.000",
--   "to": "2026-11-29 12:00:00.000",
--   "tz": "Asia/Shanghai",
--   "rollup_from": "2026-11-01 01:00:00",
--   "rollup_to": "2026-11-29 12:00:00",
--   "raw_hours": [],
--   "p0": "2026-11-01 00:30:00.000",
--   "p1": "2026-11-01 01:00:00.000",
--   "p2": [
--     "East",
--     "North"
--   ]
-- }
