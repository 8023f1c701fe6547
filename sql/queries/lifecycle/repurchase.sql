-- The repurchase rate's counts (复购率): buyers (units with a conversion) and repeat buyers (two or more) in each
-- period between consecutive instants of {bounds} (week 1, 2, ...) and over the whole span (week 0). Units are
-- contacts by user_id, else by phone, as everywhere.
SELECT
    week,
    count() AS buyers,
    countIf(conversions >= 2) AS repeat_buyers
FROM
(
    SELECT
        if(user_id != '', user_id, phone) AS unit,
        week,
        count() AS conversions
    FROM events
    ARRAY JOIN [toUInt32(0), toUInt32(arrayFirstIndex(b -> b > ts, {bounds:Array(DateTime64(3, 'UTC'))}) - 1)] AS week
    WHERE workspace_id = {workspace:String}
      AND type = 'conversion'
      AND ts >= arrayMin({bounds:Array(DateTime64(3, 'UTC'))})
      AND ts < arrayMax({bounds:Array(DateTime64(3, 'UTC'))})
    GROUP BY unit, week
)
GROUP BY week
ORDER BY week
