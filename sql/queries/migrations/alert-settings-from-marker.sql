-- 0015: a workspace whose default alert rules an earlier version saved as ordinary rules (it stored the
-- `__defaults__` marker rule then) gets alert settings saying so, once: the built-in defaults are not added
-- to its list again. Version 1, dated and signed like the marker's first version.
INSERT INTO metadata (workspace_id, kind, id, version, name, spec, deleted, changed_at, changed_by)
SELECT workspace_id, 'alert_settings', 'alert_settings', 1, 'alert settings', '{"default_rules":"saved"}', 0, min(changed_at), 'defaults'
FROM {table:Identifier}
WHERE id = '__defaults__'
  AND workspace_id GLOBAL NOT IN (SELECT workspace_id FROM metadata WHERE kind = 'alert_settings')
GROUP BY workspace_id
