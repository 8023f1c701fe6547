-- Events of the workspace as the platform counts them (each event once, re-sent copies collapsed).
SELECT count() AS n
FROM events FINAL
WHERE workspace_id = {workspace:String}
