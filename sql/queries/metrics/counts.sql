-- Event counts per bucket and group in [from, to) (bucket and group are generated from fixed catalogues;
-- filters are bound parameters). Every event is counted once: events are deduplicated on write.
SELECT
    toUnixTimestamp({{bucket}}) AS bucket_s,
    {{group}} AS grp,
    {{metrics/event-counters}},
    -- Not aliased `revenue`: a filter on the events' revenue column in WHERE would read the sum instead.
    toFloat64(sum(revenue)) AS revenue_total
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  AND ({{filters}})
GROUP BY bucket_s, grp
ORDER BY bucket_s, grp
