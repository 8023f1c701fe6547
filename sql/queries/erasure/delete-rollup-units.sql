-- Removes a daily rollup's rows under the raw identifiers once their hashed copies are stored.
ALTER TABLE {{table}}{{on_cluster}}
DELETE WHERE workspace_id = {workspace:String} AND unit IN {identifiers:Array(String)}
