-- A read-only database over a backup's files, so its tables can be counted without restoring them.
CREATE DATABASE {{view}} ENGINE = Backup({database:String}, File({dir:String}))
