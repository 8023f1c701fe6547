-- What one refresh wrote: its rows carry the run's version (read without FINAL: they are the rows as written).
SELECT countIf(is_deleted = 0) AS added, countIf(is_deleted = 1) AS removed
FROM tags
WHERE workspace_id = {workspace:String} AND tag = {tag:String} AND value = {value:String}
  AND source = {source:String} AND version = {version:UInt64}
