/**
 * The warehouse's per-variant, per-local-day rows of an experiment, and the cumulative daily looks the
 * sequential test reads: each local day of exposure is one look at everything exposed up to its end.
 */
import type { Metric } from './experiment-schema.ts';
import { mixtureSequentialTest, summaryOfSums, type SequentialLook, type SequentialResult } from './statistics.ts';

/** One row of sql/queries/experiments/results.sql (counts arrive as strings). */
export interface DayRow {
  variant: string;
  day: string;
  n: string | number;
  successes: string | number;
  revenue_sum: number;
  revenue_sq: number;
  /** The pre-period covariate x (CUPED): Σx, Σx², Σxy with y the metric per recipient. */
  x_sum: number;
  x_sq: number;
  xy_sum: number;
}

export interface Totals {
  n: number;
  successes: number;
  revenueSum: number;
  revenueSq: number;
  xSum: number;
  xSq: number;
  xySum: number;
}

/** A variant's totals over the exposure days up to and including `lastDay` (all days when omitted). */
export function totalsUpTo(rows: readonly DayRow[], variant: string, lastDay = '9999-12-31'): Totals {
  const t: Totals = { n: 0, successes: 0, revenueSum: 0, revenueSq: 0, xSum: 0, xSq: 0, xySum: 0 };
  for (const r of rows) {
    if (r.variant !== variant || r.day > lastDay) continue;
    t.n += Number(r.n);
    t.successes += Number(r.successes);
    t.revenueSum += Number(r.revenue_sum);
    t.revenueSq += Number(r.revenue_sq);
    t.xSum += Number(r.x_sum);
    t.xSq += Number(r.x_sq);
    t.xySum += Number(r.xy_sum);
  }
  return t;
}

/** The effect and its variance at one look: difference of rates, or of mean revenue per recipient. */
function lookOf(metric: Metric, c: Totals, t: Totals): SequentialLook {
  if (metric === 'revenue') {
    const sc = summaryOfSums({ n: c.n, sum: c.revenueSum, sumSquares: c.revenueSq });
    const st = summaryOfSums({ n: t.n, sum: t.revenueSum, sumSquares: t.revenueSq });
    return { effect: st.mean - sc.mean, variance: sc.variance / sc.n + st.variance / st.n };
  }
  const pc = c.successes / c.n;
  const pt = t.successes / t.n;
  return { effect: pt - pc, variance: (pc * (1 - pc)) / c.n + (pt * (1 - pt)) / t.n };
}

/** One look per day that had exposures, at the cumulative totals of both arms at its end. */
export function dailyLooks(rows: readonly DayRow[], metric: Metric, control: string, treatment: string): SequentialLook[] {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  return days
    .map((d) => [totalsUpTo(rows, control, d), totalsUpTo(rows, treatment, d)] as const)
    .filter(([c, t]) => c.n > 1 && t.n > 1)
    .map(([c, t]) => lookOf(metric, c, t));
}

/** The sequential test's mixing variance τ² = (mde_rel · pooled rate or mean)², from the totals of both arms. */
function mixingVariance(rows: readonly DayRow[], metric: Metric, control: string, treatment: string, mdeRel: number): number {
  const c = totalsUpTo(rows, control);
  const t = totalsUpTo(rows, treatment);
  const pooled = metric === 'revenue' ? (c.revenueSum + t.revenueSum) / (c.n + t.n) : (c.successes + t.successes) / (c.n + t.n);
  return (mdeRel * pooled) ** 2 || 1e-12;
}

/** The always-valid sequential result of `treatment` against `control` over the daily looks. */
export function sequentialOf(rows: readonly DayRow[], metric: Metric, control: string, treatment: string, mdeRel: number, alpha: number): SequentialResult {
  return mixtureSequentialTest(dailyLooks(rows, metric, control, treatment), mixingVariance(rows, metric, control, treatment, mdeRel), alpha);
}

/** One point of the sequential p-value over time: its value after the look of local `day`. */
export interface SequentialPoint {
  day: string;
  p_value: number;
}

/**
 * The sequential p-value as it stood after each daily look (the same τ² as the final one, so the last point is
 * `sequential_p_value`); days before both arms had two recipients have no point.
 */
export function sequentialSeries(
  rows: readonly DayRow[],
  metric: Metric,
  control: string,
  treatment: string,
  mdeRel: number,
  alpha: number,
): SequentialPoint[] {
  const tauSquared = mixingVariance(rows, metric, control, treatment, mdeRel);
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const points: SequentialPoint[] = [];
  for (const day of days) {
    const looks = dailyLooks(
      rows.filter((r) => r.day <= day),
      metric,
      control,
      treatment,
    );
    if (looks.length) points.push({ day, p_value: mixtureSequentialTest(looks, tauSquared, alpha).pValue });
  }
  return points;
}
