-- Rebuilds the per-contact daily rollup by dimension from the stored events (the rows its materialized view writes).
INSERT INTO contact_daily_dims (workspace_id, type, day, unit, status, campaign_id, template_id, channel, category, events, revenue, last_ts)
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
GROUP BY workspace_id, type, day, unit, status, campaign_id, template_id, channel, category
