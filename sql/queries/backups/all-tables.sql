-- Everything a database holds, views too (an empty database has nothing here).
SELECT name FROM system.tables WHERE database = {database:String} ORDER BY name
