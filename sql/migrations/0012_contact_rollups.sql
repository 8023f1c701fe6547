-- Per-contact daily rollups of events, maintained on insert by the materialized views below, so that
-- window counts (behaviour rule leaves, frequency caps, the 3-7-15 rule, RFM, cluster features) read a
-- few rows per contact and day instead of every raw event.
-- unit is the contact an event belongs to (user_id, else phone), day the event's UTC date. Read them
-- with sum()/max() GROUP BY (rows of one key are folded only at merge time), never with FINAL; they are
-- exact because events are deduplicated before they are stored (a retried block is dropped before the
-- views see it). Readers take whole UTC days from here and the partial days at a window's edges from
-- raw events, so instants stay exact. The sort key serves "units with events of type T on days D1..D2".
-- @shard_by cityHash64(workspace_id, unit)
CREATE TABLE IF NOT EXISTS contact_daily
(
    workspace_id LowCardinality(String),
    type Enum8('send' = 1, 'delivery' = 2, 'click' = 3, 'conversion' = 4, 'unsubscribe' = 5, 'reply' = 6, 'complaint' = 7, 'exposure' = 8),
    day Date,
    unit String,
    status LowCardinality(String),
    events SimpleAggregateFunction(sum, UInt64),
    revenue SimpleAggregateFunction(sum, Decimal(38, 4)),
    last_ts SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (workspace_id, type, day, unit, status)
TTL toDateTime(day) + toIntervalMonth({{event_retention_months}})
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS events_to_contact_daily TO contact_daily AS
SELECT
    workspace_id,
    type,
    toDate(ts) AS day,
    if(user_id != '', user_id, phone) AS unit,
    status,
    toUInt64(count()) AS events,
    toDecimal128(sum(revenue), 4) AS revenue,
    max(ts) AS last_ts
FROM events
GROUP BY workspace_id, type, day, unit, status;

-- The same with the dimensions rules filter on most: campaign, template, channel and the `category`
-- property. A behaviour leaf whose `where` only asks eq/in of these (and status) reads this table.
-- @shard_by cityHash64(workspace_id, unit)
CREATE TABLE IF NOT EXISTS contact_daily_dims
(
    workspace_id LowCardinality(String),
    type Enum8('send' = 1, 'delivery' = 2, 'click' = 3, 'conversion' = 4, 'unsubscribe' = 5, 'reply' = 6, 'complaint' = 7, 'exposure' = 8),
    day Date,
    unit String,
    status LowCardinality(String),
    campaign_id String,
    template_id String,
    channel LowCardinality(String),
    category String,
    events SimpleAggregateFunction(sum, UInt64),
    revenue SimpleAggregateFunction(sum, Decimal(38, 4)),
    last_ts SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (workspace_id, type, day, unit, status, campaign_id, template_id, channel, category)
TTL toDateTime(day) + toIntervalMonth({{event_retention_months}})
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS events_to_contact_daily_dims TO contact_daily_dims AS
SELECT
    workspace_id,
    type,
    toDate(ts) AS day,
    if(user_id != '', user_id, phone) AS unit,
    status,
    campaign_id,
    template_id,
    channel,
    properties['category'] AS category,
    toUInt64(count()) AS events,
    toDecimal128(sum(revenue), 4) AS revenue,
    max(ts) AS last_ts
FROM events
GROUP BY workspace_id, type, day, unit, status, campaign_id, template_id, channel, category;
