-- Recency (days since the last event), frequency (events) and monetary (revenue) per recipient over the
-- window, each scored 1-5 by quintile: score = 1 + floor(5 * (recipients strictly worse) / recipients),
-- so ties share a score. Recency scores higher when more recent. Segments follow the R x FM grid,
-- FM = round-half-up((F + M) / 2), documented in segmentation/rfm.ts.
INSERT INTO rfm_scores (workspace_id, run_id, computed_at, window_days, event, user_id, recency_days, frequency, monetary, r, f, m, segment)
WITH
    base AS
    (
        SELECT
            if(user_id != '', user_id, phone) AS unit,
            dateDiff('millisecond', max(ts), {now:DateTime64(3, 'UTC')}) / 86400000 AS recency_days,
            count() AS frequency,
            toFloat64(sum(revenue)) AS monetary
        FROM events FINAL
        WHERE workspace_id = {workspace:String} AND type = {event:String}
          AND ts > {now:DateTime64(3, 'UTC')} - toIntervalDay({window:UInt32}) AND ts <= {now:DateTime64(3, 'UTC')}
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
