-- The SQL sandbox benchmark's baseline: events by type, asked of the warehouse directly.
SELECT toString(type) AS type, count() AS n
FROM events
WHERE workspace_id = {workspace:String}
GROUP BY type
ORDER BY type
