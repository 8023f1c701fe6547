-- Event counts per bucket and group in [from, to), the same rows metrics/counts reads from raw events, built
-- from whole UTC hours of {{rollup_table}} (metrics_hourly, or metrics_hourly_slim when neither breakdown nor
-- filters name a campaign or template: a catalogue name) plus raw events of the hours no bucket holds whole and of the range's
-- ragged ends ({{raw_ranges}}: UTC ranges, bound parameters, or 0 when there are none). Bucket, group and
-- filters are generated from fixed catalogues over columns both tables have; values are bound parameters.
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
    -- Summed per hour first, so the bucket (a time-zone conversion) is computed per hour, not per row.
    SELECT
        toUnixTimestamp({{rollup_bucket}}) AS bucket_s,
        grp, sends, accepted, delivered, clicks, conversions, complaints, unsubscribes, revenue_sum
    FROM
    (
        SELECT
            hour,
            {{group}} AS grp,
            sum(sends) AS sends, sum(accepted) AS accepted, sum(delivered) AS delivered, sum(clicks) AS clicks,
            sum(conversions) AS conversions, sum(complaints) AS complaints, sum(unsubscribes) AS unsubscribes,
            sum(revenue) AS revenue_sum
        FROM {{rollup_table}}
        WHERE workspace_id = {workspace:String}
          AND hour >= {rollup_from:DateTime('UTC')} AND hour < {rollup_to:DateTime('UTC')}
          AND NOT has({raw_hours:Array(UInt32)}, toUnixTimestamp(hour))
          AND ({{filters}})
        GROUP BY hour, grp
    )
    UNION ALL
    SELECT
        toUnixTimestamp({{raw_bucket}}) AS bucket_s,
        {{group}} AS grp,
        {{metrics/event-counters}},
        toDecimal128(sum(revenue), 4) AS revenue_sum
    FROM events
    WHERE workspace_id = {workspace:String}
      AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
      AND ({{raw_ranges}})
      AND ({{filters}})
    GROUP BY bucket_s, grp
)
GROUP BY bucket_s, grp
ORDER BY bucket_s, grp
