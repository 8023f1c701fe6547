-- First half of a restore: the database, its tables and views, without data (merges are then stopped
-- on each table so the restored rows can be compared with the manifest before any merge folds them).
RESTORE DATABASE {{source}} AS {{target}} FROM File({dir:String}) SETTINGS structure_only = 1
