-- Removes staged import lines of the person (their fields are NULL where the file left them out).
ALTER TABLE {{table}}{{on_cluster}}
DELETE WHERE workspace_id = {workspace:String}
  AND (key IN {identifiers:Array(String)} OR ifNull(user_id, '') IN {identifiers:Array(String)} OR ifNull(phone, '') IN {identifiers:Array(String)})
