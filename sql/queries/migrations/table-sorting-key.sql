-- The sorting key of a table in this database ('' when there is no such table).
SELECT sorting_key
FROM system.tables
WHERE database = currentDatabase() AND name = {table:String}
