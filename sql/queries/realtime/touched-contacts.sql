-- Contacts created or changed since the watermark (updated_at: the platform's clock).
SELECT DISTINCT user_id AS unit
FROM contacts
WHERE workspace_id = {workspace:String} AND updated_at > {mark:DateTime64(3, 'UTC')}
