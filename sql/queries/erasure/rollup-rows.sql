-- How many rows and events a daily rollup holds under the person's identifiers (names the re-keying insert,
-- so a re-run after a crash between the insert and the delete is dropped as a duplicate).
SELECT count() AS rows, sum(events) AS events
FROM {{table}}
WHERE workspace_id = {workspace:String} AND unit IN {identifiers:Array(String)}
