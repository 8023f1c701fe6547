-- One month of a workspace's events for its SQL sandbox (month 0: none, for an empty workspace's file).
SELECT
    src.event_id AS event_id,
    toString(src.type) AS type,
    src.ts AS ts,
    {{sandbox/person-columns}},
    src.campaign_id AS campaign_id,
    src.template_id AS template_id,
    src.message_id AS message_id,
    src.channel AS channel,
    src.carrier AS carrier,
    src.region AS region,
    src.status AS status,
    src.error_code AS error_code,
    src.revenue AS revenue,
    src.experiment_id AS experiment_id,
    src.variant AS variant,
    if({masked:UInt8} = 1, mapApply((k, v) -> (k, replaceRegexpAll(v, '\\+?[0-9]{11,15}', '<phone>')), src.properties), src.properties) AS properties,
    src.ingested_at AS ingested_at
FROM events AS src
WHERE src.workspace_id = {workspace:String} AND toYYYYMM(src.ts) = {month:UInt32}
