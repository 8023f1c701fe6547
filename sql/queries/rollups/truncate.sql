-- Empties one rollup table before it is refilled (the slot is the table, with ON CLUSTER on a cluster).
TRUNCATE TABLE IF EXISTS {{table}}
