-- When the workspace last erased a person (0: never): a snapshot taken before that is refreshed before the next query,
-- so an erased person leaves analysts' SQL as soon as the rest of the platform.
SELECT toString(toUnixTimestamp64Milli(max(erased_at))) AS ms
FROM erasures
WHERE workspace_id = {workspace:String}
