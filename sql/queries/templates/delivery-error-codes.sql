-- Failed receipts per template, carrier and error code in [from, to) ('' = a receipt without a code),
-- narrowed like templates/delivery-counts.
SELECT
    template_id,
    carrier,
    error_code,
    count() AS failures
FROM events
WHERE workspace_id = {workspace:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  AND type = 'delivery'
  AND status = 'failed'
  AND template_id != ''
  AND ({template:String} = '' OR template_id = {template:String})
  AND ({carrier:String} = '' OR carrier = {carrier:String})
GROUP BY template_id, carrier, error_code
