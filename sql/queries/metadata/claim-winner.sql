-- The winning claim of one version number: the earliest stored (server time, then write id).
SELECT write_id
FROM version_claims
WHERE workspace_id = {workspace:String} AND object_type = {type:String} AND object_id = {id:String} AND version = {version:UInt32}
ORDER BY claimed_at, write_id
LIMIT 1
