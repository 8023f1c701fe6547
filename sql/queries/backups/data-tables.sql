-- Tables that hold rows (views hold none: their rows live in their target tables).
SELECT name
FROM system.tables
WHERE database = {database:String} AND engine NOT IN ('MaterializedView', 'View', 'LiveView', 'WindowView')
ORDER BY name
