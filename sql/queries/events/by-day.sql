-- Events per local calendar day (in the given IANA zone) and type, in [from, to).
SELECT
    toString(toDate(ts, {tz:String})) AS day,
    type,
    count() AS events
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
GROUP BY day, type
ORDER BY day, type
