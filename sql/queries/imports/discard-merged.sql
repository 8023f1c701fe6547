-- Drops an import's merged rows (its job is done or discarded).
DELETE FROM contact_import_pending WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}
