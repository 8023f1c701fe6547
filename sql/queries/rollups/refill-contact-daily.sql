-- Rebuilds the per-contact daily rollup from the stored events (the same rows its materialized view writes).
INSERT INTO contact_daily (workspace_id, type, day, unit, status, events, revenue, last_ts)
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
GROUP BY workspace_id, type, day, unit, status
