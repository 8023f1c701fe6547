-- Which of a batch's events (identity: workspace, type, event_id) are already stored. Each is looked
-- for where it could be: on the UTC day the batch gives it (an identical retry: found even when the
-- keys view missed that insert because of a crash between the two), and on every day event_keys says
-- an event with that id was stored (a copy with another timestamp; a key hash that collides is
-- harmless here, since the event itself is then not found). Both lookups are primary-key reads.
WITH batch AS
(
    SELECT
        tupleElement(e, 1) AS event_id,
        CAST(tupleElement(e, 2), 'Enum8(\'send\' = 1, \'delivery\' = 2, \'click\' = 3, \'conversion\' = 4, \'unsubscribe\' = 5, \'reply\' = 6, \'complaint\' = 7, \'exposure\' = 8)') AS type,
        tupleElement(e, 3) AS day
    FROM (SELECT arrayJoin(arrayZip({ids:Array(String)}, {types:Array(String)}, {days:Array(Date)})) AS e)
)
SELECT DISTINCT toString(type) AS event_type, event_id
FROM events
WHERE workspace_id = {workspace:String}
  AND (toDate(ts), type, event_id) IN
  (
      SELECT day, type, event_id FROM batch
      UNION ALL
      SELECT k.day, k.type, b.event_id
      FROM event_keys AS k
      INNER JOIN batch AS b ON k.key_hash = cityHash64({workspace:String}, b.event_id) AND k.type = b.type
      WHERE k.workspace_id = {workspace:String}
        AND k.key_hash IN (SELECT cityHash64({workspace:String}, event_id) FROM batch)
  )
