-- Events, users and revenue per type in [from, to).
SELECT
    type,
    count() AS events,
    uniqExact(if(user_id != '', user_id, phone)) AS users,
    sum(revenue) AS revenue
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
GROUP BY type
