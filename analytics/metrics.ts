/**
 * Dashboard metrics: a time series per bucket (hour, day or week cut in the workspace's time zone) with
 * numerator, denominator and rate, optionally per breakdown value. Definitions (events counted once):
 *   send_success_rate = accepted sends / attempted sends
 *   delivery_rate     = delivered receipts / accepted sends
 *   click_rate        = clicks / delivered receipts          (the articles' "open rate")
 *   conversion_rate   = conversions / delivered receipts
 *   complaint_rate    = complaints / delivered receipts
 *   unsubscribe_rate  = unsubscribes (incl. TD/T replies) / delivered receipts
 *   revenue           = revenue / delivered receipts (revenue per delivered message; numerator = revenue)
 * Counts come from an hourly rollup (metrics_hourly_slim, or metrics_hourly when campaign or template is
 * named) when it answers exactly, else from raw events (metrics-plan.ts decides); alerts read through here too.
 */
import { formatTs } from '../warehouse/time.ts';
import { sqlWithGenerated } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { Params, anyOf } from '../warehouse/query-builder.ts';
import type { WhereClause } from '../warehouse/event-filter-sql.ts';
import { groupSql, whereSql, type Breakdown } from './event-filters.ts';
import { bucketSql, planRollupRead, type RollupPlan } from './metrics-plan.ts';

export const METRICS = ['send_success_rate', 'delivery_rate', 'click_rate', 'conversion_rate', 'complaint_rate', 'unsubscribe_rate', 'revenue'] as const;
export type MetricName = (typeof METRICS)[number];
export const INTERVALS = ['hour', 'day', 'week'] as const;
export type Interval = (typeof INTERVALS)[number];

interface Counts {
  sends: number;
  accepted: number;
  delivered: number;
  clicks: number;
  conversions: number;
  complaints: number;
  unsubscribes: number;
  revenue: number;
}

const RATIO: Record<MetricName, [keyof Counts, keyof Counts]> = {
  send_success_rate: ['accepted', 'sends'],
  delivery_rate: ['delivered', 'accepted'],
  click_rate: ['clicks', 'delivered'],
  conversion_rate: ['conversions', 'delivered'],
  complaint_rate: ['complaints', 'delivered'],
  unsubscribe_rate: ['unsubscribes', 'delivered'],
  revenue: ['revenue', 'delivered'],
};

/** The seed articles' alarm levels, for the headline cards. */
export const THRESHOLDS: Partial<Record<MetricName, { below?: number; atOrAbove?: number }>> = {
  send_success_rate: { below: 0.95 },
  delivery_rate: { below: 0.9 },
  click_rate: { below: 0.08 },
  conversion_rate: { below: 0.02 },
  complaint_rate: { atOrAbove: 0.001 },
};

export interface MetricPoint {
  /** Bucket start as an instant (UTC, Z). */
  bucket: string;
  /** Bucket start as local wall time in the zone used. */
  local: string;
  group?: string;
  numerator: number;
  denominator: number;
  rate: number | null;
}

export function rateOf(metric: MetricName, c: Counts): { numerator: number; denominator: number; rate: number | null } {
  const [num, den] = RATIO[metric];
  const numerator = Number(c[num]);
  const denominator = Number(c[den]);
  return { numerator, denominator, rate: denominator > 0 ? numerator / denominator : null };
}

const localText = (ms: number, tz: string) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(ms);

type CountsQuery = { fromMs: number; toMs: number; interval?: Interval; tz: string; breakdown?: Breakdown; filters: WhereClause[] };
type CountsRow = Counts & { bucket_s: string; grp: string };

/** Without an interval the whole range is one bucket, stamped with its start. */
const bucketOf = (q: CountsQuery, column: string) => (q.interval ? bucketSql(q.interval, column) : "{from:DateTime64(3, 'UTC')}");

async function readCounts(wh: Warehouse, statement: string, params: Params): Promise<CountsRow[]> {
  const rows = await wh.query<Omit<Counts, 'revenue'> & { revenue_total: number; bucket_s: string; grp: string }>(statement, params.values);
  return rows.map(({ revenue_total, ...r }) => ({ ...r, revenue: revenue_total }));
}

/** Counts per bucket (and group) in [from, to), all from raw events. */
export async function rawMetricCounts(wh: Warehouse, workspaceId: string, q: CountsQuery): Promise<CountsRow[]> {
  const params = new Params(workspaceId, { from: formatTs(q.fromMs), to: formatTs(q.toMs), tz: q.tz });
  const statement = sqlWithGenerated('metrics/counts', { bucket: bucketOf(q, 'ts'), group: groupSql(q.breakdown), filters: whereSql(q.filters, params) });
  return readCounts(wh, statement, params);
}

/** Dimensions only metrics_hourly keeps; without them the slim table (a tenth of the rows) answers. */
const CAMPAIGN_DIMENSIONS: ReadonlySet<string> = new Set(['campaign_id', 'template_id']);

export function rollupTableFor(q: Pick<CountsQuery, 'breakdown' | 'filters'>): 'metrics_hourly' | 'metrics_hourly_slim' {
  const named = [q.breakdown, ...q.filters.map((f) => f.prop)];
  return named.some((d) => d !== undefined && CAMPAIGN_DIMENSIONS.has(d)) ? 'metrics_hourly' : 'metrics_hourly_slim';
}

/** The same counts, from metrics_hourly's whole hours and raw events for the rest (see metrics-plan.ts). */
async function rollupMetricCounts(wh: Warehouse, workspaceId: string, q: CountsQuery, plan: RollupPlan): Promise<CountsRow[]> {
  const params = new Params(workspaceId, {
    from: formatTs(q.fromMs),
    to: formatTs(q.toMs),
    tz: q.tz,
    rollup_from: formatTs(plan.rollupFromMs).slice(0, 19),
    rollup_to: formatTs(plan.rollupToMs).slice(0, 19),
    raw_hours: plan.rawHours.map((ms) => ms / 1000),
  });
  const rawRanges = plan.rawRanges.map(
    ([a, b]) => `ts >= ${params.add(formatTs(a), "DateTime64(3, 'UTC')")} AND ts < ${params.add(formatTs(b), "DateTime64(3, 'UTC')")}`,
  );
  const statement = sqlWithGenerated('metrics/counts-rollup', {
    rollup_table: rollupTableFor(q),
    rollup_bucket: bucketOf(q, 'hour'),
    raw_bucket: bucketOf(q, 'ts'),
    group: groupSql(q.breakdown),
    filters: whereSql(q.filters, params),
    raw_ranges: anyOf(rawRanges),
  });
  return readCounts(wh, statement, params);
}

/**
 * Counts per bucket (and group) in [from, to): from the hourly rollup where it answers exactly, else from raw
 * events. Both give the same rows (test/metrics-rollup.test.ts).
 */
export async function metricCounts(wh: Warehouse, workspaceId: string, q: CountsQuery): Promise<CountsRow[]> {
  const plan = await planRollupRead(wh, q);
  return plan ? rollupMetricCounts(wh, workspaceId, q, plan) : rawMetricCounts(wh, workspaceId, q);
}

export async function metricSeries(
  wh: Warehouse,
  workspaceId: string,
  metric: MetricName,
  q: { fromMs: number; toMs: number; interval: Interval; tz: string; breakdown?: Breakdown; filters: WhereClause[] },
): Promise<MetricPoint[]> {
  const rows = await metricCounts(wh, workspaceId, q);
  return rows.map((r) => {
    const ms = Number(r.bucket_s) * 1000;
    return { bucket: new Date(ms).toISOString(), local: localText(ms, q.tz), ...(q.breakdown && { group: r.grp }), ...rateOf(metric, r) };
  });
}

export interface SummaryCard {
  metric: MetricName;
  numerator: number;
  denominator: number;
  rate: number | null;
  threshold?: { below?: number; atOrAbove?: number };
  status: 'ok' | 'alarm' | 'no_data';
}

/** Headline cards: every metric over the range, judged against the articles' alarm levels. */
export async function metricSummary(
  wh: Warehouse,
  workspaceId: string,
  q: { fromMs: number; toMs: number; tz: string; filters: WhereClause[] },
): Promise<SummaryCard[]> {
  const [row] = await metricCounts(wh, workspaceId, q);
  const counts = row ?? ({ sends: 0, accepted: 0, delivered: 0, clicks: 0, conversions: 0, complaints: 0, unsubscribes: 0, revenue: 0 } as Counts);
  return METRICS.map((metric) => {
    const r = rateOf(metric, counts);
    const threshold = THRESHOLDS[metric];
    const alarm =
      r.rate !== null &&
      threshold &&
      ((threshold.below !== undefined && r.rate < threshold.below) || (threshold.atOrAbove !== undefined && r.rate >= threshold.atOrAbove));
    return { metric, ...r, ...(threshold && { threshold }), status: r.rate === null ? 'no_data' : alarm ? 'alarm' : 'ok' };
  });
}
