-- The live webhooks of one segment (newest version of each, as metadata/list picks it; {after} = ''), in id order.
SELECT id, version, name, spec, deleted, changed_at, changed_by
FROM ({{metadata/newest-of-kind}})
WHERE deleted = 0 AND JSONExtractString(spec, 'segment_id') = {segment:String}
ORDER BY id
LIMIT {limit:UInt32}
