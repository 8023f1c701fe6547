/**
 * Where a metric-count request is read from. metrics_hourly (sql/migrations/0013_metrics_rollup.sql) holds
 * the counters per UTC hour and rolled-up dimension; a request it can answer exactly (breakdown and filters
 * only on those dimensions) reads every UTC hour that lies whole inside [from, to) and inside one bucket from
 * it, and the rest (the range's ragged ends, hours a bucket boundary cuts in zones such as +05:45) from raw
 * events. Anything else reads raw events as before. Which hourly table (metrics_hourly or its slim twin of
 * 0014, without campaign and template) is read is metrics.ts's choice; both hold the same hours.
 */
import { formatTs } from '../warehouse/time.ts';
import { sqlWithGenerated } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { WhereClause } from '../warehouse/event-filter-sql.ts';
import type { Breakdown } from './event-filters.ts';

export type MetricInterval = 'hour' | 'day' | 'week';

/** The event columns metrics_hourly keeps: breakdowns and filters on these can be read from it. */
export const ROLLED_UP_DIMENSIONS: ReadonlySet<string> = new Set(['campaign_id', 'template_id', 'channel', 'carrier', 'region']);

const HOUR = 3600_000;
/** The rollup leaves out events outside these years (a DateTime hour would wrap): such ranges read raw events. */
const ROLLUP_FROM_MS = Date.UTC(1971, 0, 1);
const ROLLUP_TO_MS = Date.UTC(2105, 0, 1);
const DAY = 24 * HOUR;
/** Past this many separate raw ranges one raw scan is simpler. */
export const MAX_RAW_RANGES = 1000;

/** Bucket start of `column` (an event's `ts` or a rollup `hour`) in the zone bound as {tz:String}. */
export function bucketSql(interval: MetricInterval, column: string): string {
  switch (interval) {
    case 'hour':
      return `toStartOfHour(${column}, {tz:String})`;
    case 'day':
      return `toStartOfDay(${column}, {tz:String})`;
    case 'week':
      return `toDateTime(toMonday(${column}, {tz:String}), {tz:String})`;
  }
}

export interface RollupPlan {
  /** Whole UTC hours [rollupFromMs, rollupToMs) come from metrics_hourly, except `rawHours`. */
  rollupFromMs: number;
  rollupToMs: number;
  /** Starts of the whole hours that no bucket holds whole, read from raw events instead. */
  rawHours: number[];
  /** The UTC ranges read from raw events, merged and in order: the range's ends and `rawHours`. */
  rawRanges: [number, number][];
}

/** Whether breakdown and filters touch only rolled-up dimensions (filters on status, revenue or properties do not). */
export function answerableFromRollup(q: { breakdown?: Breakdown; filters: readonly WhereClause[] }): boolean {
  return (q.breakdown === undefined || ROLLED_UP_DIMENSIONS.has(q.breakdown)) && q.filters.every((f) => ROLLED_UP_DIMENSIONS.has(f.prop));
}

/** Merges touching ranges and drops empty ones. */
function mergeRanges(ranges: [number, number][]): [number, number][] {
  const merged: [number, number][] = [];
  for (const [a, b] of ranges.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0])) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

/**
 * Events are sorted by UTC day first (then type), so an hour read from raw events costs reading its whole
 * day: when the raw hours touch most days of the range (a +05:45 or +05:30 zone's day boundaries, or a range
 * of a few days with ragged ends), reading the range from raw events alone is cheaper than the split.
 */
function worthSplitting(q: { fromMs: number; toMs: number }, rawRanges: [number, number][]): boolean {
  const touched = new Set<number>();
  for (const [a, b] of rawRanges) for (let d = Math.floor(a / DAY); d <= Math.floor((b - 1) / DAY); d++) touched.add(d);
  const days = Math.floor((q.toMs - 1) / DAY) - Math.floor(q.fromMs / DAY) + 1;
  return touched.size * 2 <= days;
}

/**
 * The split of [from, to) between metrics_hourly and raw events, or undefined when raw events must answer it
 * all (not answerable from the rollup, no whole usable hour, outside the rollup's years, too fragmented).
 * Which hours a bucket boundary cuts is asked of the warehouse, so its time-zone data decides, as it does
 * for the buckets themselves.
 */
export async function planRollupRead(
  wh: Warehouse,
  q: { fromMs: number; toMs: number; interval?: MetricInterval; tz: string; breakdown?: Breakdown; filters: readonly WhereClause[] },
): Promise<RollupPlan | undefined> {
  if (!answerableFromRollup(q) || q.fromMs < ROLLUP_FROM_MS || q.toMs > ROLLUP_TO_MS) return undefined;
  const rollupFromMs = Math.ceil(q.fromMs / HOUR) * HOUR;
  const rollupToMs = Math.floor(q.toMs / HOUR) * HOUR;
  const hours = (rollupToMs - rollupFromMs) / HOUR;
  if (hours <= 0) return undefined;
  let rawHours: number[] = [];
  // Without an interval (headline cards) the whole range is one bucket: every whole hour belongs to it.
  if (q.interval) {
    const statement = sqlWithGenerated('metrics/split-hours', {
      bucket_first: bucketSql(q.interval, 'hour'),
      bucket_last: bucketSql(q.interval, '(hour + 3599)'),
    });
    const rows = await wh.query<{ hour_s: number | string }>(statement, { first: formatTs(rollupFromMs).slice(0, 19), hours, tz: q.tz });
    rawHours = rows.map((r) => Number(r.hour_s) * 1000);
  }
  if (rawHours.length === hours) return undefined;
  const rawRanges = mergeRanges([[q.fromMs, rollupFromMs], [rollupToMs, q.toMs], ...rawHours.map((h): [number, number] => [h, h + HOUR])]);
  if (rawRanges.length > MAX_RAW_RANGES || !worthSplitting(q, rawRanges)) return undefined;
  return { rollupFromMs, rollupToMs, rawHours, rawRanges };
}
