DELETE FROM contact_import_merged WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}
