-- A funnel per group. The slots are generated from validated step definitions (see analytics/funnels.ts):
-- every value in them is a bound parameter.
SELECT
    grp,
    [{{counts}}] AS counts,
    [{{medians}}] AS medians
FROM
(
    SELECT
        grp,
        level,
        {{chain}}
    FROM
    (
        SELECT
            {{unit}} AS unit,
            {{group}} AS grp,
            windowFunnel({window_ms:UInt64})(toUInt64(toUnixTimestamp64Milli(ts)), {{conditions}}) AS level,
        {{step_arrays}}
        FROM events FINAL
        WHERE workspace_id = {workspace:String}
          AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
          AND ({{filters}})
          AND ({{any_step}})
        GROUP BY unit, grp
        HAVING unit != ''
    )
    WHERE level >= 1
)
GROUP BY grp
ORDER BY grp
