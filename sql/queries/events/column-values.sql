-- The most frequent non-empty values of one event column ({{column}}: a name from the fixed breakdown catalogue,
-- never user text) in [from, to), with their event counts; {limit} + 1 rows so the caller knows whether more exist.
SELECT
    {{column}} AS value,
    count() AS events
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  AND {{column}} != ''
GROUP BY value
ORDER BY events DESC, value
LIMIT {limit_plus_one:UInt32}
