-- Accepted sends, delivered and failed receipts per template and carrier in [from, to), each event counted
-- under the template and carrier it carries (events without a template are left out). {template} and
-- {carrier} narrow the read when not ''. Reads the raw events of the range's days, send and delivery types
-- only (the sort key is day, type): the rollups carry no failed receipts.
SELECT
    template_id,
    carrier,
    countIf(type = 'send' AND status = 'accepted') AS sends,
    countIf(type = 'delivery' AND status = 'delivered') AS delivered,
    countIf(type = 'delivery' AND status = 'failed') AS failed
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  AND type IN ('send', 'delivery')
  AND template_id != ''
  AND ({template:String} = '' OR template_id = {template:String})
  AND ({carrier:String} = '' OR carrier = {carrier:String})
GROUP BY template_id, carrier
