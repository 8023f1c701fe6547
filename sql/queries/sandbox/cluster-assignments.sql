-- Which cluster of each stored model every contact is in, for the workspace's SQL sandbox.
SELECT src.model_id AS model_id, src.cluster AS cluster, {{sandbox/user-id}}
FROM cluster_assignments AS src
WHERE src.workspace_id = {workspace:String}
