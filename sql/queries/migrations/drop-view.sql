DROP VIEW IF EXISTS {{name}}{{on_cluster}} SYNC
