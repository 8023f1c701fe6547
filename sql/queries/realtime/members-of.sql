-- The stored membership of the given contacts.
SELECT unit, member
FROM realtime_members FINAL
WHERE workspace_id = {workspace:String} AND segment_id = {segment:String} AND unit IN {units:Array(String)}
