-- Removes a table's rows of the person, by user id or phone (contacts, audience members of every version,
-- import rows staged or pending, suppressions once their hashed entries are stored).
ALTER TABLE {{table}}{{on_cluster}}
DELETE WHERE workspace_id = {workspace:String} AND (user_id IN {identifiers:Array(String)} OR phone IN {identifiers:Array(String)})
