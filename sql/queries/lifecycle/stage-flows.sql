-- Lifecycle stage sizes and flows in one pass. The slot is every contact's stage at each instant of {instants}
-- (segmentation/lifecycle-sql.ts: the stage function, every value a bound parameter); each row is paired with the
-- contact's stage at the instant before ('' when it did not exist yet: it signed up in between). A contact that
-- exists at an instant exists at every later one, so the pairs are exactly the flows between consecutive instants,
-- and the sizes at an instant are their sums over `from_stage`. `idx` is 1-based in {instants}.
SELECT
    indexOf({instants:Array(DateTime64(3, 'UTC'))}, at) AS idx,
    from_stage,
    stage,
    count() AS contacts
FROM
(
    SELECT
        at,
        stage,
        lagInFrame(stage, 1, '') OVER (PARTITION BY user_id ORDER BY at ASC ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS from_stage
    FROM ({{stages}})
)
GROUP BY idx, from_stage, stage
ORDER BY idx, from_stage, stage
