-- Second half of a restore: the parts, into the tables the first half created.
RESTORE DATABASE {{source}} AS {{target}} FROM File({dir:String}) SETTINGS create_database = 'must-exist', create_table = 'must-exist'
