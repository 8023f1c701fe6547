-- The segment's current members, as a set for the rule's reads ({{units}} of sweep-leavers).
SELECT unit FROM realtime_members FINAL WHERE workspace_id = {workspace:String} AND segment_id = {segment:String} AND member = 1
