-- Contacts with events stored since the watermark, of the types the rule counts and inside its longest window
-- (older events cannot change a rolling count), with the newest ingested_at of each (what caused a change) and a
-- key per event (so a contact whose events were all looked at in an earlier pass is not evaluated again).
SELECT if(user_id != '', user_id, phone) AS unit, max(ingested_at) AS cause, groupArray(toString(cityHash64(toString(type), event_id))) AS keys
FROM events
WHERE workspace_id = {workspace:String}
  AND type IN {types:Array(String)}
  AND toDate(ts) >= {from_day:Date}
  AND ingested_at > {mark:DateTime64(3, 'UTC')}
GROUP BY unit
