-- Costs and last-touch ROI per group (campaign, template, channel or segment) of the sends in [from, to).
-- A message is an accepted send in the range; its billed parts are its `parts` property when the sender reports
-- 1-255, else its template's part count from the registry ({tpl_ids}/{tpl_parts}), else 1. Its price per part
-- comes from the price version in effect at the send ({price_from} ascending; before the first: unpriced, cost
-- 0): the rule of its channel and carrier, else of its channel for every carrier (carrier ''), else the
-- version's default. Amounts are integer millionths.
-- Attribution, across campaigns: each conversion goes to the contact's (user_id, else phone) most recent
-- successful delivery at or before it (ASOF JOIN), if that is at most {window_ms} earlier; it counts for the
-- delivery's group when the delivery is in [from, to) (so conversions up to the window after `to` count).
-- Conversions in [from, to) with no delivery in their window are the unattributed row.
-- Segment: the send's (or delivery's) `segment_id` property; a delivery without one takes its send's, by message_id.
-- Slots: {{send_group}} and {{delivery_group}} (the group's column: a fixed catalogue in campaign-roi.ts, never user
-- text) and {{delivery_segments}} (the join to send_segments, only when grouping by segment: it costs a scan).
WITH
    -- Sends counted per (group, price version, channel, carrier) first, so the price lookup runs on few rows.
    sends AS (
        SELECT
            {{send_group}} AS grp,
            arrayCount(f -> f <= ts, {price_from:Array(DateTime64(3, 'UTC'))}) AS price_version,
            toString(channel) AS send_channel,
            toString(carrier) AS send_carrier,
            count() AS messages,
            sum(toInt64(multiIf(
                toUInt32OrZero(properties['parts']) BETWEEN 1 AND 255, toUInt32OrZero(properties['parts']),
                indexOf({tpl_ids:Array(String)}, template_id) > 0, {tpl_parts:Array(UInt32)}[indexOf({tpl_ids:Array(String)}, template_id)],
                1))) AS parts
        FROM events
        WHERE workspace_id = {workspace:String}
          AND type = 'send' AND status != 'rejected'
          AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
        GROUP BY grp, price_version, send_channel, send_carrier
    ),
    priced AS (
        SELECT
            grp,
            messages,
            parts,
            arrayFirstIndex((v, ch, ca) -> v = price_version AND ch = send_channel AND ca = send_carrier,
                {rule_version:Array(UInt32)}, {rule_channel:Array(String)}, {rule_carrier:Array(String)}) AS carrier_rule,
            arrayFirstIndex((v, ch, ca) -> v = price_version AND ch = send_channel AND ca = '',
                {rule_version:Array(UInt32)}, {rule_channel:Array(String)}, {rule_carrier:Array(String)}) AS channel_rule,
            parts * multiIf(price_version = 0, toInt64(0),
                carrier_rule > 0, {rule_micros:Array(Int64)}[carrier_rule],
                channel_rule > 0, {rule_micros:Array(Int64)}[channel_rule],
                {default_micros:Array(Int64)}[price_version]) AS cost_micros,
            if(price_version = 0, messages, 0) AS unpriced
        FROM sends
    ),
    send_segments AS (
        SELECT message_id, any(properties['segment_id']) AS segment
        FROM events
        WHERE workspace_id = {workspace:String}
          AND type = 'send' AND message_id != '' AND properties['segment_id'] != ''
          AND ts >= {sends_from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
        GROUP BY message_id
    ),
    deliveries AS (
        SELECT
            if(d.user_id != '', d.user_id, d.phone) AS contact,
            d.ts AS delivered_at,
            {{delivery_group}} AS grp,
            d.ts >= {from:DateTime64(3, 'UTC')} AND d.ts < {to:DateTime64(3, 'UTC')} AS in_range
        FROM events AS d
        {{delivery_segments}}
        WHERE d.workspace_id = {workspace:String}
          AND d.type = 'delivery' AND d.status = 'delivered'
          AND d.ts >= {deliveries_from:DateTime64(3, 'UTC')} AND d.ts < {until:DateTime64(3, 'UTC')}
          AND contact != ''
    ),
    conversions AS (
        SELECT if(user_id != '', user_id, phone) AS contact, ts AS converted_at, revenue
        FROM events
        WHERE workspace_id = {workspace:String}
          AND type = 'conversion'
          AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
          AND contact != ''
    ),
    credited AS (
        SELECT
            c.converted_at AS converted_at,
            c.revenue AS revenue,
            d.grp AS grp,
            d.in_range AS in_range,
            d.contact != '' AND toUnixTimestamp64Milli(c.converted_at) - toUnixTimestamp64Milli(d.delivered_at) <= {window_ms:Int64} AS attributed
        FROM conversions AS c
        ASOF LEFT JOIN deliveries AS d ON c.contact = d.contact AND c.converted_at >= d.delivered_at
    )
SELECT
    unattributed,
    group_key,
    sum(messages) AS messages,
    sum(parts) AS parts,
    sum(cost_micros) AS cost_micros,
    sum(unpriced) AS unpriced_messages,
    sum(conversions) AS conversions,
    toString(sum(revenue)) AS revenue
FROM
(
    SELECT toUInt8(0) AS unattributed, grp AS group_key, messages, parts, cost_micros, unpriced, toUInt64(0) AS conversions, toDecimal128(0, 4) AS revenue
    FROM priced
    UNION ALL
    -- Each CTE is read once (ClickHouse would run a twice-named CTE twice): credited conversions and unattributed ones in one pass.
    SELECT toUInt8(NOT attributed), if(attributed, grp, ''), 0, 0, 0, 0, 1, toDecimal128(revenue, 4)
    FROM credited
    WHERE (attributed AND in_range) OR (NOT attributed AND converted_at < {to:DateTime64(3, 'UTC')})
)
GROUP BY unattributed, group_key
