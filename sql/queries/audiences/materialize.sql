-- Snapshots every contact matching the rule, with the first reason (if any) it must not be sent to.
-- Suppression always applies; the eligibility rules apply when their flags are set.
INSERT INTO audience_members (workspace_id, audience_id, version, user_id, phone, name, gender, birthday, city, region, vip_level, attributes, excluded)
SELECT
    workspace_id, {audience:String}, {version:UInt32}, user_id, phone, name, gender, birthday, city, region, vip_level, attributes,
    multiIf(
        consent = 'opted_out'
            OR user_id IN (SELECT user_id FROM suppressions FINAL WHERE workspace_id = {workspace:String} AND user_id != '')
            OR (phone != '' AND phone IN (SELECT phone FROM suppressions FINAL WHERE workspace_id = {workspace:String} AND phone != '')), 'suppressed',
        phone = '', 'no_phone',
        {new_user_days:UInt32} > 0 AND signup_at IS NOT NULL AND signup_at > {now:DateTime64(3, 'UTC')} - toIntervalDay({new_user_days:UInt32}), 'new_user_rule',
        -- 3-7-15: in the first 7 days, at most one service reminder.
        {service_rule:UInt8} = 1 AND signup_at IS NOT NULL AND signup_at > {now:DateTime64(3, 'UTC')} - toIntervalDay(7) AND sends.sends_last_7_days >= 1, 'new_user_rule',
        {frequency_cap:UInt8} = 1 AND sends.sends_this_week >= if(vip_level >= {vip_min_level:UInt8}, {vip_per_week:UInt32}, {per_week:UInt32}), 'frequency_cap',
        ''
    ) AS excluded
FROM contacts FINAL
LEFT JOIN
(
    -- Accepted sends since Monday 00:00 of this week in the workspace's time zone, and in the last 7 days.
    SELECT
        if(user_id != '', user_id, phone) AS unit,
        countIf(toDate(ts, {tz:String}) >= toMonday(toDate({now:DateTime64(3, 'UTC')}, {tz:String}))) AS sends_this_week,
        countIf(ts >= {now:DateTime64(3, 'UTC')} - toIntervalDay(7)) AS sends_last_7_days
    FROM events FINAL
    WHERE workspace_id = {workspace:String} AND type = 'send' AND status = 'accepted'
      AND ts >= least(toDateTime64(toMonday(toDate({now:DateTime64(3, 'UTC')}, {tz:String})), 3, {tz:String}), {now:DateTime64(3, 'UTC')} - toIntervalDay(7))
      AND ts <= {now:DateTime64(3, 'UTC')}
    GROUP BY unit
) AS sends ON sends.unit = user_id
WHERE workspace_id = {workspace:String} AND ({{rule}})
