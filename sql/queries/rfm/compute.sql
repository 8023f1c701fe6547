-- Recency (days since the last event), frequency (events) and monetary (revenue) per recipient over the
-- window, each scored 1-5 by quintile: score = 1 + floor(5 * (recipients strictly worse) / recipients),
-- so ties share a score. Recency scores higher when more recent. Segments follow the R x FM grid,
-- FM = round-half-up((F + M) / 2), documented in segmentation/rfm.ts.
INSERT INTO rfm_scores (workspace_id, run_id, computed_at, window_days, event, user_id, recency_days, frequency, monetary, r, f, m, segment)
WITH
    -- The window is (now - window days, now]: its whole UTC days from the daily rollup, the partial days
    -- at its edges from raw events, so recency, frequency and revenue stay exact to the millisecond.
    parts AS
    (
        SELECT unit, max(last_ts) AS last_ts, sum(events) AS n, sum(revenue) AS revenue
        FROM contact_daily
        WHERE workspace_id = {workspace:String} AND type = {event:String}
          AND day > toDate({now:DateTime64(3, 'UTC')} - toIntervalDay({window:UInt32})) AND day < toDate({now:DateTime64(3, 'UTC')})
        GROUP BY unit
        UNION ALL
        SELECT if(user_id != '', user_id, phone) AS unit, max(ts) AS last_ts, count() AS n, toDecimal128(sum(revenue), 4) AS revenue
        FROM events
        WHERE workspace_id = {workspace:String} AND type = {event:String}
          AND ts > {now:DateTime64(3, 'UTC')} - toIntervalDay({window:UInt32}) AND ts <= {now:DateTime64(3, 'UTC')}
          AND toDate(ts) IN (toDate({now:DateTime64(3, 'UTC')} - toIntervalDay({window:UInt32})), toDate({now:DateTime64(3, 'UTC')}))
        GROUP BY unit
    ),
    base AS
    (
        SELECT
            unit,
            dateDiff('millisecond', max(last_ts), {now:DateTime64(3, 'UTC')}) / 86400000 AS recency_days,
            sum(n) AS frequency,
            toFloat64(sum(revenue)) AS monetary
        FROM parts
        GROUP BY unit
    ),
    scored AS
    (
        SELECT
            unit, recency_days, frequency, monetary,
            toUInt8(1 + intDiv(5 * (rank() OVER (ORDER BY recency_days DESC) - 1), count() OVER ())) AS r,
            toUInt8(1 + intDiv(5 * (rank() OVER (ORDER BY frequency ASC) - 1), count() OVER ())) AS f,
            toUInt8(1 + intDiv(5 * (rank() OVER (ORDER BY monetary ASC) - 1), count() OVER ())) AS m
        FROM base
    )
SELECT
    {workspace:String}, {run:String}, {now:DateTime64(3, 'UTC')}, {window:UInt32}, {event:String},
    unit, recency_days, frequency, monetary, r, f, m,
    {{rfm/segment-of}}
FROM scored
