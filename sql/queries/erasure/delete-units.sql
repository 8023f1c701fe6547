-- Removes a realtime segment table's rows of the person (realtime_members, realtime_changes: keyed by unit, the
-- contact's user id).
ALTER TABLE {{table}}{{on_cluster}}
DELETE WHERE workspace_id = {workspace:String} AND unit IN {identifiers:Array(String)}
