-- The newest version of each template named in {ids} that is not deleted (unknown ids are simply absent).
SELECT id, version, name, spec, deleted, changed_at, changed_by
FROM ({{metadata/newest-of-kind}})
WHERE deleted = 0 AND has({ids:Array(String)}, id)
