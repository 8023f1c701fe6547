-- Per variant and local day of first exposure: recipients exposed (n), those with the metric's event
-- within the attribution window after their first exposure (successes), revenue per recipient (sum and
-- sum of squares, for Welch's test), and the CUPED covariate x: the same metric per recipient over the
-- {cuped_days} days before the first exposure (the rate metrics: had the event, 0/1; revenue: its sum),
-- as Σx, Σx², Σxy with y the metric per recipient. A recipient is a user_id, else a phone.
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
        SELECT
            x.unit AS unit,
            countIf(e.ts >= x.exposed_at) AS hits,
            toFloat64(sumIf(e.revenue, e.ts >= x.exposed_at)) AS revenue,
            countIf(e.ts < x.exposed_at) AS pre_hits,
            toFloat64(sumIf(e.revenue, e.ts < x.exposed_at)) AS pre_revenue
        FROM exposed AS x
        INNER JOIN
        (
            SELECT if(user_id != '', user_id, phone) AS unit, ts, revenue
            FROM events
            WHERE workspace_id = {workspace:String}
              AND type = {event_type:String}
              AND (type != 'delivery' OR status = 'delivered')
              AND ts >= (SELECT min(exposed_at) FROM exposed) - toIntervalDay({cuped_days:UInt32})
        ) AS e ON e.unit = x.unit
        WHERE e.ts >= x.exposed_at - toIntervalDay({cuped_days:UInt32}) AND e.ts <= x.exposed_at + toIntervalHour({hours:UInt32})
        GROUP BY x.unit
    ),
    per_unit AS
    (
        SELECT
            x.variant AS variant,
            toString(toDate(x.exposed_at, {tz:String})) AS day,
            o.hits AS hits,
            o.revenue AS revenue,
            if({revenue_metric:Bool}, o.revenue, toFloat64(o.hits > 0)) AS y,
            if({revenue_metric:Bool}, o.pre_revenue, toFloat64(o.pre_hits > 0)) AS x
        FROM exposed AS x
        LEFT JOIN outcomes AS o ON o.unit = x.unit
    )
SELECT
    variant,
    day,
    count() AS n,
    countIf(hits > 0) AS successes,
    sum(revenue) AS revenue_sum,
    sum(revenue * revenue) AS revenue_sq,
    sum(x) AS x_sum,
    sum(x * x) AS x_sq,
    sum(x * y) AS xy_sum
FROM per_unit
GROUP BY variant, day
ORDER BY variant, day
