-- Refills the slim hourly counters (0014) from metrics_hourly, which holds the same counters by two more
-- dimensions: summing those away gives exactly what the view events_to_metrics_hourly_slim would have written.
INSERT INTO metrics_hourly_slim (workspace_id, hour, channel, carrier, region, events, sends, accepted, delivered, clicks, conversions, complaints, unsubscribes, revenue)
SELECT workspace_id, hour, channel, carrier, region, sum(events), sum(sends), sum(accepted), sum(delivered), sum(clicks), sum(conversions),
       sum(complaints), sum(unsubscribes), sum(revenue)
FROM metrics_hourly
GROUP BY workspace_id, hour, channel, carrier, region
