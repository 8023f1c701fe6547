-- The issue's baseline: events per user over the last 30 days, read without FINAL. The outer count keeps
-- the million groups inside the engine, so what is timed is the scan and the aggregation, not a transfer.
SELECT count() AS users, sum(n) AS events
FROM
(
    SELECT user_id, count() AS n
    FROM events
    WHERE workspace_id = {workspace:String} AND ts >= {from:DateTime64(3, 'UTC')}
    GROUP BY user_id
)
