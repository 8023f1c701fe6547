-- Contacts whose tags the rule names were assigned or removed since the watermark (version: the platform's clock, µs).
SELECT DISTINCT user_id AS unit
FROM tags
WHERE workspace_id = {workspace:String} AND tag IN {tags:Array(String)} AND version > {mark:UInt64}
