-- As rekey-contact-daily, for the rollup by campaign, template, channel and category.
INSERT INTO contact_daily_dims (workspace_id, type, day, unit, status, campaign_id, template_id, channel, category, events, revenue, last_ts)
SELECT
    workspace_id, type, day, concat('sha256:', lower(hex(SHA256(concat(workspace_id, ':', unit))))), status,
    campaign_id, template_id, channel, category, events, revenue, last_ts
FROM contact_daily_dims
WHERE workspace_id = {workspace:String} AND unit IN {identifiers:Array(String)}
