-- The baseline again with FINAL, the issue's second row (FINAL on purpose: it measures what FINAL costs).
SELECT count() AS users, sum(n) AS events
FROM
(
    SELECT user_id, count() AS n
    FROM events FINAL
    WHERE workspace_id = {workspace:String} AND ts >= {from:DateTime64(3, 'UTC')}
    GROUP BY user_id
)
