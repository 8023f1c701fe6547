-- Every stored RFM run of the workspace (kept 90 days), one row per scored contact, for its SQL sandbox.
SELECT src.* EXCEPT (workspace_id, user_id), {{sandbox/user-id}}
FROM rfm_scores AS src
WHERE src.workspace_id = {workspace:String}
