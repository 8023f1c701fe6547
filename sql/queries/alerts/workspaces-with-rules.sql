-- Workspaces whose alert rules the scheduler evaluates: every workspace with a live key (each has the
-- built-in default rules unless it deleted them) and any with rules stored.
SELECT workspace_id
FROM
(
    SELECT workspace_id, revoked
    FROM api_keys
    ORDER BY key_id, version DESC, changed_at DESC
    LIMIT 1 BY key_id
)
WHERE revoked = 0
UNION DISTINCT
SELECT workspace_id FROM metadata WHERE kind = 'alert_rules'
