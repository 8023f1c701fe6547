-- An incremental backup: only the parts the base backup does not already hold are written.
BACKUP DATABASE {{database}} TO File({dir:String}) SETTINGS base_backup = File({base:String})
