/**
 * Rebuilding the rollups (contact_daily, contact_daily_dims, metrics_hourly, metrics_hourly_slim) from the stored
 * events, for an operator who suspects a rollup is short (a crash in the instant between an insert's commit to
 * events and to its views) or who restored events by hand. Event writes of this process are paused meanwhile, so
 * the server can run it while it takes events; writers in other processes (ingest workers against a ClickHouse
 * server) must be stopped by the operator.
 */
import { backfillContactRollups, backfillMetricsRollup, backfillSlimMetricsRollup } from '../warehouse/rollup-backfill.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { withEventWritesPaused } from './event-store.ts';

export interface RebuiltRollups {
  tables: string[];
  seconds: number;
}

// The slim metric rollup is refilled from metrics_hourly, so it comes after it.
const STEPS: readonly [string[], (wh: Warehouse) => Promise<void>][] = [
  [['contact_daily', 'contact_daily_dims'], backfillContactRollups],
  [['metrics_hourly'], backfillMetricsRollup],
  [['metrics_hourly_slim'], backfillSlimMetricsRollup],
];

/** Empties every rollup and refills it from the stored events, with this process's event writes paused. */
export function rebuildRollups(wh: Warehouse): Promise<RebuiltRollups[]> {
  return withEventWritesPaused(wh, async () => {
    const rebuilt: RebuiltRollups[] = [];
    for (const [tables, refill] of STEPS) {
      const started = performance.now();
      await refill(wh);
      rebuilt.push({ tables, seconds: Math.round(performance.now() - started) / 1000 });
    }
    return rebuilt;
  });
}
