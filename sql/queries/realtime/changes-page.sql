-- One page of a segment's change stream after a sequence number, oldest first, with each contact's phone.
SELECT c.seq AS seq, c.unit AS user_id, p.phone AS phone, toString(c.change) AS change, c.cause_ingested_at AS cause_ingested_at,
       c.recorded_at AS recorded_at
FROM
(
    SELECT seq, unit, change, cause_ingested_at, recorded_at
    FROM realtime_changes
    WHERE workspace_id = {workspace:String} AND segment_id = {segment:String} AND seq > {since:UInt64}
    ORDER BY seq
    LIMIT {limit:UInt32}
) AS c
LEFT JOIN
(
    SELECT user_id, phone FROM contacts FINAL
    WHERE workspace_id = {workspace:String}
      AND user_id IN (
          SELECT unit FROM realtime_changes
          WHERE workspace_id = {workspace:String} AND segment_id = {segment:String} AND seq > {since:UInt64}
          ORDER BY seq LIMIT {limit:UInt32}
      )
) AS p ON p.user_id = c.unit
ORDER BY seq
