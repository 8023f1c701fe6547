-- Bytes on disk and rows of each table of the platform's database, from its active parts (global: no
-- workspace owns a part). Against a cluster these are this node's local tables.
SELECT table, sum(bytes_on_disk) AS bytes, sum(rows) AS rows
FROM system.parts
WHERE active AND database = currentDatabase()
GROUP BY table
ORDER BY table
