-- Keeps a table's rows as long as events are kept ({{months}}: a validated integer from configuration;
-- {{table}} and {{ttl}}: fixed names and expressions from warehouse/migrations.ts).
ALTER TABLE {{table}}{{on_cluster}} MODIFY TTL {{ttl}} + toIntervalMonth({{months}})
