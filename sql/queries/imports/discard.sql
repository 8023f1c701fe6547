-- Drops an import's staged rows (a refused or finished import). Lightweight delete: no rewrite now.
DELETE FROM contact_import_rows WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}
