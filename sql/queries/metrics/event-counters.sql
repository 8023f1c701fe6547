-- The metric counters of a group of raw events (included by the statements that count events; the rollup
-- views of migrations 0013 and 0014 spell the same expressions, as migrations are fixed once applied).
countIf(type = 'send') AS sends,
countIf(type = 'send' AND status = 'accepted') AS accepted,
countIf(type = 'delivery' AND status = 'delivered') AS delivered,
countIf(type = 'click') AS clicks,
countIf(type = 'conversion') AS conversions,
countIf(type = 'complaint') AS complaints,
countIf(type = 'unsubscribe' OR (type = 'reply' AND upper(trimBoth(properties['text'])) IN ('TD', 'T'))) AS unsubscribes
