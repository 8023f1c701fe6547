-- Hourly metric counters, maintained on insert into events: per workspace × UTC hour × campaign ×
-- template × channel × carrier × region, the counts sql/queries/metrics/counts.sql computes from raw
-- events. Metric series, headline cards and alerts read whole UTC hours from here (analytics/metrics-plan.ts).
-- SummingMergeTree folds rows of one key only when parts merge, so readers always sum() ... GROUP BY and
-- never need FINAL. Exact because events are deduplicated on write: the view sees each event once (a retried
-- block dropped by its insert_deduplication_token never reaches the view either).
-- `events` counts every event, exposures too: it keeps a row whose other counters are all zero (the merge
-- drops rows that sum to zero), so a bucket holding only such events is still listed, as the raw read lists it.
-- Revenue is summed as Decimal, so the rollup's total is the raw total to the last digit.
-- @shard_by cityHash64(workspace_id)
CREATE TABLE IF NOT EXISTS metrics_hourly
(
    workspace_id LowCardinality(String),
    hour DateTime('UTC'),
    campaign_id String,
    template_id String,
    channel LowCardinality(String),
    carrier LowCardinality(String),
    region LowCardinality(String),
    events UInt64,
    sends UInt64,
    accepted UInt64,
    delivered UInt64,
    clicks UInt64,
    conversions UInt64,
    complaints UInt64,
    unsubscribes UInt64,
    revenue Decimal(38, 4)
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (workspace_id, hour, campaign_id, template_id, channel, carrier, region)
TTL hour + toIntervalMonth({{event_retention_months}});

-- Events outside DateTime's years (before 1971, from 2105) are left out: their hour would wrap into another
-- year; readers send ranges outside those years to raw events.
CREATE MATERIALIZED VIEW IF NOT EXISTS events_to_metrics_hourly TO metrics_hourly AS
SELECT
    workspace_id,
    toDateTime(toStartOfHour(ts), 'UTC') AS hour,
    campaign_id,
    template_id,
    channel,
    carrier,
    region,
    count() AS events,
    countIf(type = 'send') AS sends,
    countIf(type = 'send' AND status = 'accepted') AS accepted,
    countIf(type = 'delivery' AND status = 'delivered') AS delivered,
    countIf(type = 'click') AS clicks,
    countIf(type = 'conversion') AS conversions,
    countIf(type = 'complaint') AS complaints,
    countIf(type = 'unsubscribe' OR (type = 'reply' AND upper(trimBoth(properties['text'])) IN ('TD', 'T'))) AS unsubscribes,
    toDecimal128(sum(revenue), 4) AS revenue
FROM events
WHERE ts >= toDateTime64('1971-01-01 00:00:00', 3, 'UTC') AND ts < toDateTime64('2105-01-01 00:00:00', 3, 'UTC')
GROUP BY workspace_id, hour, campaign_id, template_id, channel, carrier, region;
