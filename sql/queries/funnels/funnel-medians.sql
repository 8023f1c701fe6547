-- Median step times over a deterministic sample of the units that reached step 2: a unit is in a set's
-- sample when cityHash64(unit) % {sample_modulus} is below that set's cut ({{unit_cut}}; the cut is the
-- modulus, i.e. everyone, when few units converted). Only sampled units keep their per-step timestamps, so
-- the arrays stay bounded however many units and events the funnel covers. t1 = the first step-1 time;
-- t(i) = the first step-i time at or after t(i-1) (the published meaning, computed exactly per unit).
SELECT
    overall,
    grp,
    [{{medians}}] AS medians
FROM
(
    SELECT
        overall,
        grp,
        level,
        {{chain}}
    FROM
    (
        SELECT
            {{unit}} AS unit,
            {{group}} AS grp,
            {{overall}} AS overall,
            windowFunnel({window_ms:UInt64})(toUInt64(toUnixTimestamp64Milli(ts)), {{conditions}}) AS level,
            {{step_arrays}}
        FROM events
        WHERE workspace_id = {workspace:String}
          AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
          AND ({{filters}})
          AND ({{any_step}})
          AND cityHash64(unit) % {sample_modulus:UInt64} < {{row_cut}}
        GROUP BY {{grouping}}
        HAVING unit != '' AND level >= 2 AND cityHash64(unit) % {sample_modulus:UInt64} < {{unit_cut}}
    )
)
GROUP BY overall, grp
