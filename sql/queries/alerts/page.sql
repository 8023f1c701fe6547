-- A page of a workspace's fired alerts: the newest version of each (as metadata/list picks it; {after} = ''),
-- live, with the status asked ('' = any), newest bucket first and then by id, after the (bucket, id) of the
-- previous page's last alert. Buckets are ISO instants of one format, so text order is time order.
SELECT id, version, name, spec, deleted, changed_at, changed_by
FROM ({{metadata/newest-of-kind}})
WHERE deleted = 0
  AND ({status:String} = '' OR JSONExtractString(spec, 'status') = {status:String})
  AND (
      {has_after:UInt8} = 0
      OR JSONExtractString(spec, 'bucket') < {after_bucket:String}
      OR (JSONExtractString(spec, 'bucket') = {after_bucket:String} AND id > {after_id:String})
  )
ORDER BY JSONExtractString(spec, 'bucket') DESC, id
LIMIT {limit:UInt32}
