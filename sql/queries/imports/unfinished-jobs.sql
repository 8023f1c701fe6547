-- Imports not yet done or discarded, in every workspace: a start-up maintenance scan (it finds the
-- work a crashed process left, whatever workspace it was for; each job is then handled in its own).
SELECT workspace_id, import_id, status, report, applied_at, started_at, changed_at
FROM contact_import_jobs FINAL
WHERE status IN ('staging', 'applying')
ORDER BY started_at
