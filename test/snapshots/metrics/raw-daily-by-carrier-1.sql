SELECT
    toUnixTimestamp(toStartOfDay(ts, {tz:String})) AS bucket_s,
    carrier AS grp,
    countIf(type = 'send') AS sends,
countIf(type = 'send' AND status = 'accepted') AS accepted,
countIf(type = 'delivery' AND status = 'delivered') AS delivered,
countIf(type = 'click') AS clicks,
countIf(type = 'conversion') AS conversions,
countIf(type = 'complaint') AS complaints,
countIf(type = 'unsubscribe' OR (type = 'reply' AND upper(trimBoth(properties['text'])) IN ('TD', 'T'))) AS unsubscribes,
    toFloat64(sum(revenue)) AS revenue_total
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  AND ((status = {p0:String}))
GROUP BY bucket_s, grp
ORDER BY bucket_s, grp

-- params:
-- {
--   "workspace": "ws_snap",
--   "from": "2026-11-01 00:30:00.000",
--   "to": "2026-11-29 12:00:00.000",
--   "tz": "Asia/Shanghai",
--   "p0": "delivered"
-- }
