-- Refills the hourly metric counters from stored events, with the same expressions as the view
-- events_to_metrics_hourly (sql/migrations/0013_metrics_rollup.sql), every workspace at once.
INSERT INTO metrics_hourly (workspace_id, hour, campaign_id, template_id, channel, carrier, region, events, sends, accepted, delivered, clicks, conversions, complaints, unsubscribes, revenue)
SELECT
    workspace_id,
    toDateTime(toStartOfHour(ts), 'UTC') AS hour,
    campaign_id,
    template_id,
    channel,
    carrier,
    region,
    count() AS events,
    {{metrics/event-counters}},
    toDecimal128(sum(revenue), 4) AS revenue
FROM events
WHERE ts >= toDateTime64('1971-01-01 00:00:00', 3, 'UTC') AND ts < toDateTime64('2105-01-01 00:00:00', 3, 'UTC')
GROUP BY workspace_id, hour, campaign_id, template_id, channel, carrier, region
