-- Empties the hourly metric counters before a refill. The slots are the table name (`metrics_hourly`, or its
-- `_local` table) and `ON CLUSTER <name>` on a cluster: both from configuration, never from a request.
TRUNCATE TABLE IF EXISTS {{table}}{{on_cluster}}
