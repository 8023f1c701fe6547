-- Removes a table's rows of the person keyed by user id alone (tags, RFM scores, cluster assignments).
ALTER TABLE {{table}}{{on_cluster}}
DELETE WHERE workspace_id = {workspace:String} AND user_id IN {identifiers:Array(String)}
