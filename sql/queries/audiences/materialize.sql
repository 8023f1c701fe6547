-- Snapshots every contact matching the rule, with the first reason (if any) it must not be sent to.
-- Suppression always applies; the eligibility rules apply when their flags are set.
INSERT INTO audience_members (workspace_id, audience_id, version, {{audience_columns}}, excluded)
SELECT
    workspace_id, {audience:String}, {version:UInt32}, {{audience_columns}},
    multiIf(
        consent = 'opted_out'
            OR user_id IN (SELECT user_id FROM suppressions FINAL WHERE workspace_id = {workspace:String} AND user_id != '')
            OR (phone != '' AND phone IN (SELECT phone FROM suppressions FINAL WHERE workspace_id = {workspace:String} AND phone != ''))
            -- An erased person's entries hold the workspace-salted SHA-256 of the user id and the phone (segmentation/erasure.ts).
            OR concat('sha256:', lower(hex(SHA256(concat(workspace_id, ':', user_id))))) IN (SELECT user_id FROM suppressions FINAL WHERE workspace_id = {workspace:String} AND startsWith(user_id, 'sha256:'))
            OR (phone != '' AND concat('sha256:', lower(hex(SHA256(concat(workspace_id, ':', phone))))) IN (SELECT phone FROM suppressions FINAL WHERE workspace_id = {workspace:String} AND startsWith(phone, 'sha256:'))), 'suppressed',
        phone = '', 'no_phone',
        {new_user_days:UInt32} > 0 AND signup_at IS NOT NULL AND signup_at > {now:DateTime64(3, 'UTC')} - toIntervalDay({new_user_days:UInt32}), 'new_user_rule',
        -- 3-7-15: in the first 7 days, at most one service reminder.
        {service_rule:UInt8} = 1 AND signup_at IS NOT NULL AND signup_at > {now:DateTime64(3, 'UTC')} - toIntervalDay(7) AND sends.sends_last_7_days >= 1, 'new_user_rule',
        {frequency_cap:UInt8} = 1 AND sends.sends_this_week >= if(vip_level >= {vip_min_level:UInt8}, {vip_per_week:UInt32}, {per_week:UInt32}), 'frequency_cap',
        ''
    ) AS excluded
FROM
(
    -- The rule first: the join then probes only the matching contacts, and their wide columns (attributes,
    -- names) are read for them alone.
    SELECT * FROM contacts FINAL
    WHERE workspace_id = {workspace:String} AND ({{rule}})
) AS matched
LEFT JOIN
(
    -- Accepted sends since Monday 00:00 of this week in the workspace's time zone, and in the last 7 days:
    -- the whole UTC days strictly inside each window from the daily rollup, its partial edge days from raw events
    -- (every toDate names UTC: week_start is a local instant, and toDate would give its local date).
    SELECT unit, sum(this_week) AS sends_this_week, sum(last_7_days) AS sends_last_7_days
    FROM
    (
        WITH
            toDateTime64(toMonday(toDate({now:DateTime64(3, 'UTC')}, {tz:String})), 3, {tz:String}) AS week_start,
            {now:DateTime64(3, 'UTC')} - toIntervalDay(7) AS week_ago,
            toDate({now:DateTime64(3, 'UTC')}, 'UTC') AS today
        SELECT
            unit,
            sumIf(events, day > toDate(week_start, 'UTC')) AS this_week,
            sumIf(events, day > toDate(week_ago, 'UTC')) AS last_7_days
        FROM contact_daily
        WHERE workspace_id = {workspace:String} AND type = 'send' AND status = 'accepted'
          AND day > toDate(least(week_start, week_ago), 'UTC') AND day < today
        GROUP BY unit
        UNION ALL
        WITH
            toDateTime64(toMonday(toDate({now:DateTime64(3, 'UTC')}, {tz:String})), 3, {tz:String}) AS week_start,
            {now:DateTime64(3, 'UTC')} - toIntervalDay(7) AS week_ago,
            toDate({now:DateTime64(3, 'UTC')}, 'UTC') AS today
        SELECT
            if(user_id != '', user_id, phone) AS unit,
            countIf(ts >= week_start AND toDate(ts) IN (toDate(week_start, 'UTC'), today)) AS this_week,
            countIf(ts >= week_ago AND toDate(ts) IN (toDate(week_ago, 'UTC'), today)) AS last_7_days
        FROM events
        WHERE workspace_id = {workspace:String} AND type = 'send' AND status = 'accepted'
          AND ts >= least(week_start, week_ago) AND ts <= {now:DateTime64(3, 'UTC')}
          AND toDate(ts) IN (toDate(week_start, 'UTC'), toDate(week_ago, 'UTC'), today)
        GROUP BY unit
    )
    GROUP BY unit
) AS sends ON sends.unit = matched.user_id
