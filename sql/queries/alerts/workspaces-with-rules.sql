-- Workspaces that have alert rules (the scheduler evaluates each).
SELECT DISTINCT workspace_id FROM alert_rules
