-- 0015: the rows of one old metadata table into `metadata` under its kind, each row once however often
-- this runs (a copy cut short by a crash is finished, not repeated). The `__defaults__` marker rule is not an
-- object: migrations/alert-settings-from-marker turns it into the workspace's alert settings. GLOBAL: on a
-- cluster both sides are Distributed tables.
INSERT INTO metadata (workspace_id, kind, id, version, name, spec, deleted, changed_at, changed_by)
SELECT workspace_id, {kind:String}, id, version, name, spec, deleted, changed_at, changed_by
FROM {table:Identifier}
WHERE NOT (id = '__defaults__' AND {kind:String} = 'alert_rules')
  AND (workspace_id, id, version, changed_at, cityHash64(spec)) GLOBAL NOT IN (
      SELECT workspace_id, id, version, changed_at, cityHash64(spec) FROM metadata WHERE kind = {kind:String}
  )
