-- The highest version number ever claimed for one object (0 when none): a claim whose writer died
-- before writing its version still uses up the number.
SELECT max(version) AS version
FROM version_claims
WHERE workspace_id = {workspace:String} AND object_type = {type:String} AND object_id = {id:String}
