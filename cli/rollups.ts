/**
 * `smsp rollups rebuild`: empties every rollup and refills it from the stored events. For an operator who
 * suspects a rollup is short (a crash in the instant between an insert's commit to events and to its views)
 * or who restored events by hand. Run it while nothing writes events: the embedded data directory is held by
 * this command alone; against a server, stop the ingest workers first.
 */
import { backfillContactRollups, backfillMetricsRollup, backfillSlimMetricsRollup } from '../warehouse/rollup-backfill.ts';
import { UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { openPlatform } from './open.ts';

const USAGE = 'usage: smsp rollups rebuild';

export async function rollupsCommand(_flags: Flags, positionals: string[]): Promise<number> {
  if (positionals.length !== 1 || positionals[0] !== 'rebuild') throw new UsageError(USAGE);
  const { warehouse } = await openPlatform();
  try {
    // The slim metric rollup is refilled from metrics_hourly, so it comes after it.
    for (const [name, refill] of [
      ['contact_daily, contact_daily_dims', backfillContactRollups],
      ['metrics_hourly', backfillMetricsRollup],
      ['metrics_hourly_slim', backfillSlimMetricsRollup],
    ] as const) {
      await refill(warehouse);
      process.stdout.write(`rebuilt ${name}\n`);
    }
    return 0;
  } finally {
    await warehouse.close();
  }
}
