INSERT INTO tags (workspace_id, user_id, tag, value, source, assigned_at, version, is_deleted)
SELECT {workspace:String}, user_id, {tag:String}, {value:String}, {source:String}, {assigned_at:DateTime64(3, 'UTC')}, {version:UInt64}, is_deleted
FROM
(
    SELECT user_id, toUInt8(0) AS is_deleted
    FROM contacts FINAL
    WHERE workspace_id = {workspace:String} AND (user_id IN (SELECT unit FROM (SELECT unit, toUInt64(events) AS c FROM contact_daily_dims WHERE (workspace_id = {workspace:String}) AND (type = {p0:String}) AND (day > toDate(toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC'))) AND (day < toDate({now:DateTime64(3, 'UTC')})) AND (category = {p4:String}) UNION ALL SELECT if(user_id != '', user_id, phone) AS unit, toUInt64(1) AS c FROM events WHERE (workspace_id = {workspace:String}) AND (type = {p0:String}) AND (ts <= {now:DateTime64(3, 'UTC')}) AND (ts >= toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC')) AND (properties[{p2:String}] = {p3:String}) AND (toDate(ts) IN (toDate(toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC')), toDate({now:DateTime64(3, 'UTC')}))))))
      AND user_id NOT IN (
          SELECT user_id FROM tags FINAL
          WHERE workspace_id = {workspace:String} AND tag = {tag:String} AND value = {value:String}
      )
    UNION ALL
    SELECT user_id, toUInt8(1) AS is_deleted
    FROM tags FINAL
    WHERE workspace_id = {workspace:String} AND tag = {tag:String} AND value = {value:String} AND source = {source:String}
      AND user_id NOT IN (
          SELECT user_id FROM contacts FINAL
          WHERE workspace_id = {workspace:String} AND (user_id IN (SELECT unit FROM (SELECT unit, toUInt64(events) AS c FROM contact_daily_dims WHERE (workspace_id = {workspace:String}) AND (type = {p0:String}) AND (day > toDate(toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC'))) AND (day < toDate({now:DateTime64(3, 'UTC')})) AND (category = {p4:String}) UNION ALL SELECT if(user_id != '', user_id, phone) AS unit, toUInt64(1) AS c FROM events WHERE (workspace_id = {workspace:String}) AND (type = {p0:String}) AND (ts <= {now:DateTime64(3, 'UTC')}) AND (ts >= toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC')) AND (properties[{p2:String}] = {p3:String}) AND (toDate(ts) IN (toDate(toTimeZone(toTimeZone({now:DateTime64(3, 'UTC')}, {tz:String}) - toIntervalDay({p1:UInt32}), 'UTC')), toDate({now:DateTime64(3, 'UTC')}))))))
      )
)

-- params:
-- {
--   "workspace": "ws_snap",
--   "now": "2026-11-20 10:30:00.000",
--   "tz": "Asia/Shanghai",
--   "p0": "conversion",
--   "p1": 90,
--   "p2": "category",
--   "p3": "electronics",
--   "p4": "electronics",
--   "tag": "electronics_buyer",
--   "value": "",
--   "source": "computed:ct_1",
--   "version": 1700000000000000,
--   "assigned_at": "2026-11-20 10:30:00.000"
-- }
