-- Funnel counts in one pass over events: the level each unit reaches (windowFunnel), per unit overall and,
-- with a breakdown, per unit and group too ({{grouping}} is `GROUPING SETS ((unit), (unit, grp))`), so a
-- breakdown costs no second scan and the overall row still counts a unit once, over all its events.
-- The slots are generated from validated step definitions (see analytics/funnel-sql.ts): every value in
-- them is a bound parameter.
SELECT
    overall,
    grp,
    [{{counts}}] AS counts
FROM
(
    SELECT
        {{unit}} AS unit,
        {{group}} AS grp,
        {{overall}} AS overall,
        windowFunnel({window_ms:UInt64})(toUInt64(toUnixTimestamp64Milli(ts)), {{conditions}}) AS level
    FROM events
    WHERE workspace_id = {workspace:String}
      AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND ({{filters}})
      AND ({{any_step}})
    GROUP BY {{grouping}}
    HAVING unit != ''
)
WHERE level >= 1
GROUP BY overall, grp
ORDER BY overall DESC, grp
