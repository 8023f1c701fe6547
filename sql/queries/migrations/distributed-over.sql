-- A Distributed table over a cluster's local tables (to read them all from one node during a data move).
CREATE TABLE IF NOT EXISTS {{name}}{{on_cluster}} AS {{local}}
ENGINE = Distributed({{cluster}}, currentDatabase(), {{local}})
