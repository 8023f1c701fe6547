-- One row per unit (and per unit and group with a per-step breakdown) with the furthest step it reached
-- (`level`), the (overall, group) sets it counts in (`sets`) and, for times, its chain's event times. Read by
-- funnel-counts.sql and funnel-times.sql; the slots are generated in analytics/funnel-sql.ts.
SELECT
    {{unit}} AS unit,
    {{unit_sets}},
    {{per_unit}}
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
  AND ({{filters}})
  AND ({{reads}})
  AND ({{row_sample}})
GROUP BY {{grouping}}
HAVING unit != '' AND level >= {{min_level}}
