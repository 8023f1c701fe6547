/**
 * Rollups (the per-contact daily ones of 0012, the hourly metric counters of 0013 and 0014) are written by
 * materialized views on every insert into events; an installation that already has events fills them
 * once with these backfills (the data steps of 0012 and 0013 in migration-steps.ts).
 */
import { localTable, runDdl } from './cluster-ddl.ts';
import { sql } from './sql-files.ts';
import type { Warehouse } from './warehouse.ts';

interface Rollup {
  table: string;
  /** sql/queries name of the INSERT ... SELECT that refills it from events. */
  refill: string;
}

const CONTACT_ROLLUPS: readonly Rollup[] = [
  { table: 'contact_daily', refill: 'rollups/refill-contact-daily' },
  { table: 'contact_daily_dims', refill: 'rollups/refill-contact-daily-dims' },
];

const METRICS_ROLLUPS: readonly Rollup[] = [{ table: 'metrics_hourly', refill: 'rollups/metrics-hourly-backfill' }];

/** Refilled from metrics_hourly (run after it). */
const SLIM_METRICS_ROLLUPS: readonly Rollup[] = [{ table: 'metrics_hourly_slim', refill: 'rollups/metrics-hourly-slim-backfill' }];

/**
 * Empties the rollups and refills them from the stored events; running it again gives the same rows.
 * Run it while nothing writes events (as a migration step, before ingest starts): an event stored during
 * the refill could be counted both by its view and by the refill.
 */
async function refill(wh: Warehouse, rollups: readonly Rollup[]): Promise<void> {
  const cluster = wh.config.cluster;
  for (const { table, refill } of rollups) {
    await runDdl(wh, 'migrations/truncate-table', { name: localTable(wh, table) });
    await wh.command(
      sql(refill),
      {},
      {
        timeoutSeconds: 3600,
        settings: {
          // A refill's blocks may equal an earlier refill's: they must not be dropped as retried inserts.
          insert_deduplicate: 0,
          // One GROUP BY over every event: spill to disk rather than run out of memory on a large table.
          max_bytes_before_external_group_by: 1_000_000_000,
          ...(cluster ? { distributed_foreground_insert: 1 } : {}),
        },
      },
    );
  }
}

export const backfillContactRollups = (wh: Warehouse) => refill(wh, CONTACT_ROLLUPS);
export const backfillMetricsRollup = (wh: Warehouse) => refill(wh, METRICS_ROLLUPS);
export const backfillSlimMetricsRollup = (wh: Warehouse) => refill(wh, SLIM_METRICS_ROLLUPS);
