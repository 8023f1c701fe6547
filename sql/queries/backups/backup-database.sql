-- The engine's own backup of one database (every table, view and part). The database name is the
-- configured identifier, never user text; the directory is a bound value the engine checks against
-- its backups.allowed_path.
BACKUP DATABASE {{database}} TO File({dir:String})
