-- 0015: how many rows of an old metadata table are not (yet) in `metadata`; the old table is dropped only at 0.
SELECT count() AS missing
FROM {table:Identifier}
WHERE NOT (id = '__defaults__' AND {kind:String} = 'alert_rules')
  AND (workspace_id, id, version, changed_at, cityHash64(spec)) GLOBAL NOT IN (
      SELECT workspace_id, id, version, changed_at, cityHash64(spec) FROM metadata WHERE kind = {kind:String}
  )
