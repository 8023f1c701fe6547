-- Current members the rule no longer matches (their counts left the window, or their profile is gone): the rule is
-- evaluated over the members only.
SELECT unit
FROM realtime_members FINAL
WHERE workspace_id = {workspace:String} AND segment_id = {segment:String} AND member = 1
  AND unit NOT IN (
      SELECT user_id FROM contacts FINAL
      WHERE workspace_id = {workspace:String} AND user_id IN {{units}} AND ({{rule}})
  )
