-- The SQL sandbox benchmark's baseline: distinct clickers by contact city, top 10, asked of the warehouse directly.
SELECT c.city AS city, uniqExact(e.user_id) AS users
FROM events AS e
INNER JOIN (SELECT user_id, city FROM contacts FINAL WHERE workspace_id = {workspace:String}) AS c ON c.user_id = e.user_id
WHERE e.workspace_id = {workspace:String} AND e.type = 'click'
GROUP BY city
ORDER BY users DESC, city
LIMIT 10
