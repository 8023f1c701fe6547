-- Funnel counts in one pass over events: the level each unit reaches (the rows of funnel-units.sql), then how
-- many units reached each step in every set. `level` comes from windowFunnel when the steps are distinct event
-- types in plain order, otherwise from a fold over the unit's sorted events (analytics/funnel-fold.ts). `sets`
-- are the (overall, group) rows a unit counts in: the overall row only; with a first-touch breakdown also the
-- group of its first step-1 event; with a per-step breakdown the grouping sets ((unit), (unit, grp)) make each
-- group its own funnel in the same scan. The slots are generated from validated definitions: every value is a
-- bound parameter.
SELECT
    overall,
    grp,
    [{{counts}}] AS counts
FROM
(
    SELECT
        s.1 AS overall,
        s.2 AS grp,
        level
    FROM ({{units}})
    ARRAY JOIN sets AS s
)
GROUP BY overall, grp
ORDER BY overall DESC, grp
