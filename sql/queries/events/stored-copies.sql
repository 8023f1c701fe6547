-- Which of a batch's events (identity: workspace, type, event_id) are already stored, looked up on the UTC
-- day the batch gives each one: a primary-key read of (workspace_id, toDate(ts), type, event_id). A replay or
-- a retry carries its event's time, so it is found; a copy re-dated to another UTC day is not (see README).
SELECT DISTINCT toString(type) AS event_type, event_id
FROM events
WHERE workspace_id = {workspace:String}
  AND (toDate(ts), type, event_id) IN
  (
      SELECT
          tupleElement(e, 3),
          CAST(tupleElement(e, 2), 'Enum8(\'send\' = 1, \'delivery\' = 2, \'click\' = 3, \'conversion\' = 4, \'unsubscribe\' = 5, \'reply\' = 6, \'complaint\' = 7, \'exposure\' = 8)'),
          tupleElement(e, 1)
      FROM (SELECT arrayJoin(arrayZip({ids:Array(String)}, {types:Array(String)}, {days:Array(Date)})) AS e)
  )
