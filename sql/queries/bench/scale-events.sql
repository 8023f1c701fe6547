-- Benchmark events for messages [first, first + messages), at most `limit` rows (the caller inserts in chunks
-- to bound memory). Each message goes to one user drawn from a power law (rank 0 the heaviest; ranks are
-- scattered over user numbers), belongs to one of `campaigns` campaigns (most run in bursts of 12 days, one
-- in five runs all along), and yields, in this order: a send (2 % rejected) at t; for an accepted send a
-- delivery receipt 1-120 s later (failures by carrier); for a delivered one a click (6-18 % by campaign,
-- mostly within hours, a tenth up to 5 days later), then a conversion with revenue for a quarter of
-- clickers (clicks and conversions carry a property `category`); and rarely an unsubscribe, a reply
-- (TD / T unsubscribe too) or a complaint. Every event of a message shares its message_id; event ids are
-- hashes, so their order says nothing about time. Events after `now` are not generated yet.
INSERT INTO events (workspace_id, event_id, type, ts, user_id, phone, campaign_id, template_id, message_id, channel, carrier, region,
                    status, error_code, revenue, experiment_id, variant, properties)
-- A uniform draw in [0, 1) keyed by a number and a purpose: the only randomness, so runs repeat exactly.
WITH (n, purpose) -> (cityHash64(n, purpose) % 4294967296) / 4294967296 AS draw
SELECT
    {workspace:String},
    concat(lower(hex(cityHash64(m, k, 'event'))), '-', toString(m * 8 + k)),
    ['send', 'delivery', 'click', 'conversion', extra_type][k],
    multiIf(k = 1, sent_at, k = 2, delivered_at, k = 3, clicked_at, k = 4, converted_at, extra_at) AS event_ts,
    concat('u', toString(user_num)),
    concat('+86138', leftPad(toString(user_num), 8, '0')),
    concat('cmp', leftPad(toString(campaign), 2, '0')),
    concat('tpl', toString((campaign * 3 + cityHash64(m, 'template') % 2) % 16)),
    concat('msg-', lower(hex(cityHash64(m, 'message'))), '-', toString(m)),
    channel,
    {carriers:Array(String)}[1 + carrier_index],
    {regions:Array(String)}[1 + city_index],
    multiIf(k = 1, if(accepted, 'accepted', 'rejected'), k = 2, if(delivered, 'delivered', 'failed'), ''),
    if(k = 2 AND NOT delivered, ['E001', 'E102', 'E301'][1 + cityHash64(m, 'error') % 3], ''),
    toDecimal64(if(k = 4, revenue_value, 0), 4),
    '',
    '',
    CAST(multiIf(k IN (3, 4), map('category', {categories:Array(String)}[1 + category_index]),
                 k = 5 AND extra_type = 'reply', map('text', ['Y', 'TD', '好的', 'T'][1 + cityHash64(m, 'text') % 4]),
                 map()), 'Map(String, String)')
FROM
(
    SELECT
        m,
        user_num,
        {{bench/scale-city-of}} AS city_index,
        multiIf(cityHash64(user_num, 'carrier') % 100 < 55, 0, cityHash64(user_num, 'carrier') % 100 < 80, 1, 2) AS carrier_index,
        campaign,
        multiIf(channel_draw < 0.8, '106', channel_draw < 0.95, 'card', 'intl') AS channel,
        sent_at,
        draw(m, 'accepted') >= 0.02 AS accepted,
        accepted AND draw(m, 'delivered') >= [0.02, 0.04, 0.06][1 + carrier_index] AS delivered,
        delivered AND draw(m, 'clicked') < 0.06 + (campaign % 7) * 0.02 AS clicked,
        clicked AND draw(m, 'converted') < 0.25 AS converted,
        -- A campaign promotes one category; four clicks in ten land elsewhere.
        if(draw(m, 'category') < 0.6, campaign, cityHash64(m, 'other_category')) % length({categories:Array(String)}) AS category_index,
        draw(m, 'extra') AS extra_draw,
        multiIf(extra_draw < 0.002, 'unsubscribe', extra_draw < 0.005, 'reply', 'complaint') AS extra_type,
        delivered AND extra_draw < 0.0055 AS has_extra,
        sent_at + toIntervalMillisecond(1000 + toUInt64(draw(m, 'receipt') * 119000)) AS delivered_at,
        delivered_at + toIntervalMillisecond(toUInt64(if(draw(m, 'late') < 0.9,
            -log(1 - draw(m, 'click_delay')) * 7200000,
            draw(m, 'click_delay') * 432000000))) AS clicked_at,
        clicked_at + toIntervalMillisecond(toUInt64(-log(1 - draw(m, 'conversion_delay')) * 3600000)) AS converted_at,
        delivered_at + toIntervalMillisecond(toUInt64(draw(m, 'extra_delay') * 21600000)) AS extra_at,
        round(20 + pow(draw(m, 'revenue'), 2) * 1980, 2) AS revenue_value
    FROM
    (
        SELECT
            number AS m,
            (toUInt64(floor({contacts:UInt64} * pow(draw(number, 'user'), 2.5))) * 2654435761) % {contacts:UInt64} AS user_num,
            toUInt32(floor({campaigns:UInt32} * pow(draw(number, 'campaign'), 1.3))) AS campaign,
            draw(number, 'channel') AS channel_draw,
            -- Four campaigns in five run in a burst of 12 days starting at a day fixed by the campaign.
            {now:DateTime64(3, 'UTC')} - toIntervalDay({days:UInt32}) + toIntervalMillisecond(toUInt64(if(campaign % 5 != 4,
                ((campaign * 7919) % 1000) / 1000 * ({days:UInt32} - 12) * 86400000 + draw(number, 'time') * 12 * 86400000,
                draw(number, 'time') * {days:UInt32} * 86400000))) AS sent_at
        FROM numbers({first:UInt64}, {messages:UInt64})
    )
)
ARRAY JOIN [1, 2, 3, 4, 5] AS k
WHERE multiIf(k = 1, 1, k = 2, accepted, k = 3, clicked, k = 4, converted, has_extra)
  AND event_ts <= {now:DateTime64(3, 'UTC')}
LIMIT {limit:UInt64}
