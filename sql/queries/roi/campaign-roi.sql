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
WITH
    {group_by:String} AS group_by,
    sends AS (
        SELECT
            multiIf(group_by = 'campaign', campaign_id, group_by = 'template', template_id, group_by = 'channel', toString(channel), properties['segment_id']) AS grp,
            toUInt32OrZero(properties['parts']) AS reported,
            indexOf({tpl_ids:Array(String)}, template_id) AS tpl,
            toInt64(if(reported BETWEEN 1 AND 255, reported, if(tpl > 0, {tpl_parts:Array(UInt32)}[tpl], 1))) AS parts,
            arrayCount(f -> f <= ts, {price_from:Array(DateTime64(3, 'UTC'))}) AS price_version,
            arrayFirstIndex((v, ch, ca) -> v = price_version AND ch = channel AND ca = carrier,
                {rule_version:Array(UInt32)}, {rule_channel:Array(String)}, {rule_carrier:Array(String)}) AS carrier_rule,
            arrayFirstIndex((v, ch, ca) -> v = price_version AND ch = channel AND ca = '',
                {rule_version:Array(UInt32)}, {rule_channel:Array(String)}, {rule_carrier:Array(String)}) AS channel_rule,
            multiIf(price_version = 0, toInt64(0),
                carrier_rule > 0, {rule_micros:Array(Int64)}[carrier_rule],
                channel_rule > 0, {rule_micros:Array(Int64)}[channel_rule],
                {default_micros:Array(Int64)}[price_version]) AS per_part_micros
        FROM events
        WHERE workspace_id = {workspace:String}
          AND type = 'send' AND status != 'rejected'
          AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
    ),
    send_segments AS (
        SELECT message_id, any(properties['segment_id']) AS segment
        FROM events
        WHERE group_by = 'segment'
          AND workspace_id = {workspace:String}
          AND type = 'send' AND message_id != '' AND properties['segment_id'] != ''
          AND ts >= {sends_from:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
        GROUP BY message_id
    ),
    deliveries AS (
        SELECT
            if(d.user_id != '', d.user_id, d.phone) AS contact,
            d.ts AS delivered_at,
            multiIf(group_by = 'campaign', d.campaign_id, group_by = 'template', d.template_id, group_by = 'channel', toString(d.channel),
                d.properties['segment_id'] != '', d.properties['segment_id'], s.segment) AS grp,
            d.ts >= {from:DateTime64(3, 'UTC')} AND d.ts < {to:DateTime64(3, 'UTC')} AS in_range
        FROM events AS d
        LEFT JOIN send_segments AS s ON s.message_id = d.message_id
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
    0 AS unattributed,
    grp AS group_key,
    sum(messages) AS messages,
    sum(parts) AS parts,
    sum(cost_micros) AS cost_micros,
    sum(unpriced) AS unpriced_messages,
    sum(delivered) AS delivered,
    sum(conversions) AS conversions,
    toString(sum(revenue)) AS revenue
FROM
(
    SELECT grp, 1 AS messages, parts, parts * per_part_micros AS cost_micros, toUInt64(price_version = 0) AS unpriced,
        0 AS delivered, 0 AS conversions, toDecimal128(0, 4) AS revenue
    FROM sends
    UNION ALL
    SELECT grp, 0, 0, 0, 0, 1, 0, toDecimal128(0, 4) FROM deliveries WHERE in_range
    UNION ALL
    SELECT grp, 0, 0, 0, 0, 0, 1, toDecimal128(revenue, 4) FROM credited WHERE attributed AND in_range
)
GROUP BY grp
UNION ALL
SELECT 1, '', 0, 0, 0, 0, 0, count(), toString(sum(toDecimal128(revenue, 4)))
FROM credited
WHERE NOT attributed AND converted_at < {to:DateTime64(3, 'UTC')}
