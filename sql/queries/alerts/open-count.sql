-- How many of a workspace's fired alerts are open (not acknowledged): the newest live version of each.
SELECT count() AS open
FROM ({{metadata/newest-of-kind}})
WHERE deleted = 0 AND JSONExtractString(spec, 'status') = 'open'
