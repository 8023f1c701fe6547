-- A page of one webhook's deliveries, newest first (a delivery id begins with its time), after the cursor's
-- delivery id ('' = from the newest). FINAL: each delivery's furthest row (see migration 0020).
SELECT delivery_id, event, audience_version, attempts, delivered, status, error, created_at, finished_at
FROM webhook_deliveries FINAL
WHERE workspace_id = {workspace:String}
  AND webhook_id = {webhook:String}
  AND ({after:String} = '' OR delivery_id < {after:String})
ORDER BY delivery_id DESC
LIMIT {limit:UInt32}
