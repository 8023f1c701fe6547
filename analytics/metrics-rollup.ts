/**
 * The hourly metric counters (metrics_hourly) are kept by a materialized view on every insert into events;
 * events stored before the view existed (an installation migrated to 0013) are counted by this backfill.
 */
import { sql, sqlWithGenerated } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

/**
 * Empties metrics_hourly and refills it from every stored event, so running it twice gives the same table.
 * Run it while nothing writes events (the migration's data step, before serving or ingesting): an event
 * inserted during the refill could be counted both by the view and by the refill.
 */
export async function backfillMetricsRollup(wh: Warehouse): Promise<void> {
  const cluster = wh.config.cluster;
  // On a cluster the rows live in the replicated _local tables behind the Distributed one.
  await wh.ddl(sqlWithGenerated('migrations/truncate-table', cluster ? { name: 'metrics_hourly_local', on_cluster: ` ON CLUSTER ${cluster}` } : { name: 'metrics_hourly', on_cluster: '' }));
  // A refill of years of events may take longer than an interactive query is allowed.
  await wh.command(sql('rollups/metrics-hourly-backfill'), {}, { timeoutSeconds: 0 });
}
