TRUNCATE TABLE IF EXISTS {{name}}{{on_cluster}} SYNC
