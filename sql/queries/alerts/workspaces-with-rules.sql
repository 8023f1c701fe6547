-- Workspaces whose alert rules the scheduler evaluates: every workspace with a key (each has the
-- built-in default rules unless it deleted them) and any with rules stored.
SELECT workspace_id FROM api_keys
UNION DISTINCT
SELECT workspace_id FROM metadata WHERE kind = 'alert_rules'
