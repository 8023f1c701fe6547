-- Per variant and local day of first exposure: recipients exposed (n), those with the metric's event
-- within the attribution window after their first exposure (successes), and revenue per recipient
-- (sum and sum of squares, for Welch's test). A recipient is a user_id, else a phone.
WITH
    exposed AS
    (
        SELECT if(user_id != '', user_id, phone) AS unit, argMin(variant, ts) AS variant, min(ts) AS exposed_at
        FROM events
        WHERE workspace_id = {workspace:String} AND type = 'exposure' AND experiment_id = {experiment:String}
        GROUP BY unit
    ),
    outcomes AS
    (
        SELECT x.unit AS unit, count() AS hits, toFloat64(sum(e.revenue)) AS revenue
        FROM exposed AS x
        INNER JOIN
        (
            SELECT if(user_id != '', user_id, phone) AS unit, ts, revenue
            FROM events
            WHERE workspace_id = {workspace:String}
              AND type = {event_type:String}
              AND (type != 'delivery' OR status = 'delivered')
              AND ts >= (SELECT min(exposed_at) FROM exposed)
        ) AS e ON e.unit = x.unit
        WHERE e.ts >= x.exposed_at AND e.ts <= x.exposed_at + toIntervalHour({hours:UInt32})
        GROUP BY x.unit
    )
SELECT
    x.variant AS variant,
    toString(toDate(x.exposed_at, {tz:String})) AS day,
    count() AS n,
    countIf(o.hits > 0) AS successes,
    sum(o.revenue) AS revenue_sum,
    sum(o.revenue * o.revenue) AS revenue_sq
FROM exposed AS x
LEFT JOIN outcomes AS o ON o.unit = x.unit
GROUP BY variant, day
ORDER BY variant, day
