-- Events of the workspace as the platform counts them (each event once: events are deduplicated on write).
SELECT count() AS n
FROM events
WHERE workspace_id = {workspace:String}
