/**
 * Experiment results: per-variant counts from the warehouse, compared with the control (the first
 * variant) by the tests in statistics.ts, with a plain-language verdict.
 *
 * Definitions: n = recipients exposed (first exposure event); success = the metric's event (click,
 * conversion, successful delivery) within attribution_hours after the first exposure; revenue = revenue
 * per exposed recipient over the same window. The sequential p-value treats each local day of exposure
 * as one look at the cumulative data, with mixing variance τ² = (mde_rel · pooled rate or mean)².
 */
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { Metric } from './experiment-schema.ts';
import type { Experiment } from './experiments.ts';
import {
  chiSquaredGoodnessOfFit,
  compareProportions,
  expectedLoss,
  holmAdjust,
  mixtureSequentialTest,
  posterior,
  probabilityToBeatControl,
  welchTest,
  type SampleSummary,
  type SequentialLook,
} from './statistics.ts';

export const SRM_THRESHOLD = 0.001;
const ALPHA = 0.05;

interface DayRow {
  variant: string;
  day: string;
  n: string;
  successes: string;
  revenue_sum: number;
  revenue_sq: number;
}

interface Totals {
  n: number;
  successes: number;
  revenueSum: number;
  revenueSq: number;
}

export interface VariantResult {
  key: string;
  n: number;
  successes: number;
  /** Proportion metrics: the success rate; revenue: mean revenue per recipient. */
  rate?: number;
  mean?: number;
  uplift_abs: number | null;
  uplift_rel: number | null;
  ci_low: number | null;
  ci_high: number | null;
  /** CI of uplift_rel (delta method for rates; the absolute CI over the control mean for revenue). */
  rel_ci_low: number | null;
  rel_ci_high: number | null;
  p_value: number | null;
  p_value_adjusted: number | null;
  prob_to_beat_control: number | null;
  expected_loss: number | null;
  sequential_p_value: number | null;
  sequential_ci_low: number | null;
  sequential_ci_high: number | null;
}

export interface ExperimentResults {
  experiment_id: string;
  metric: Metric;
  timezone: string;
  variants: VariantResult[];
  srm_p_value: number;
  srm_detected: boolean;
  verdict: string;
}

const EVENT_OF: Record<Metric, string> = { conversion: 'conversion', click: 'click', delivery: 'delivery', revenue: 'conversion' };

function summaryOf(t: Totals): SampleSummary {
  const mean = t.n ? t.revenueSum / t.n : 0;
  // Sample variance from the sum and the sum of squares.
  const variance = t.n > 1 ? Math.max(0, (t.revenueSq - t.n * mean * mean) / (t.n - 1)) : 0;
  return { n: t.n, mean, variance };
}

/** A variant's totals over the exposure days up to and including `lastDay` (all days when omitted). */
function totalsUpTo(rows: DayRow[], variant: string, lastDay = '9999-12-31'): Totals {
  const t: Totals = { n: 0, successes: 0, revenueSum: 0, revenueSq: 0 };
  for (const r of rows) {
    if (r.variant !== variant || r.day > lastDay) continue;
    t.n += Number(r.n);
    t.successes += Number(r.successes);
    t.revenueSum += Number(r.revenue_sum);
    t.revenueSq += Number(r.revenue_sq);
  }
  return t;
}

/** Cumulative totals of both arms at the end of every day that had exposures: one daily read each. */
function looks(rows: DayRow[], control: string, treatment: string): [Totals, Totals][] {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  return days.map((d) => [totalsUpTo(rows, control, d), totalsUpTo(rows, treatment, d)] as [Totals, Totals]).filter(([c, t]) => c.n > 1 && t.n > 1);
}

function sequentialLook(metric: Metric, c: Totals, t: Totals): SequentialLook {
  if (metric === 'revenue') {
    const sc = summaryOf(c);
    const st = summaryOf(t);
    return { effect: st.mean - sc.mean, variance: sc.variance / sc.n + st.variance / st.n };
  }
  const pc = c.successes / c.n;
  const pt = t.successes / t.n;
  return { effect: pt - pc, variance: (pc * (1 - pc)) / c.n + (pt * (1 - pt)) / t.n };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const signed = (x: number) => `${x >= 0 ? '+' : ''}${pct(x)}`;

function verdictOf(metric: Metric, variants: VariantResult[], srm: boolean): string {
  if (srm)
    return `Sample ratio mismatch (p < ${SRM_THRESHOLD}): recipients did not split as configured, so these results cannot be trusted. Check the allocation and exposure logging.`;
  const [control, ...rest] = variants;
  if (!control || control.n === 0) return 'No exposures yet.';
  const lines = rest.map((v) => {
    if (v.p_value_adjusted === null || v.uplift_rel === null) return `${v.key}: not enough data yet.`;
    const what = metric === 'revenue' ? 'revenue per recipient' : `${metric} rate`;
    const ci = v.rel_ci_low === null ? '' : ` (95% CI ${signed(v.rel_ci_low)} to ${signed(v.rel_ci_high!)})`;
    const effect = `${signed(v.uplift_rel)} ${what} vs ${control.key}${ci}`;
    if (v.p_value_adjusted < ALPHA && (v.sequential_p_value ?? 1) < ALPHA)
      return `${v.key} ${v.uplift_abs! > 0 ? 'beats' : 'is worse than'} ${control.key}: ${effect}, p = ${v.p_value_adjusted.toPrecision(2)} adjusted; the always-valid sequential test agrees, so it is safe to stop.`;
    if (v.p_value_adjusted < ALPHA)
      return `${v.key} looks ${v.uplift_abs! > 0 ? 'better' : 'worse'}: ${effect}, p = ${v.p_value_adjusted.toPrecision(2)} adjusted, but the sequential test is not yet convinced (p = ${(v.sequential_p_value ?? 1).toPrecision(2)}); keep it running if you have been checking daily.`;
    return `No significant difference between ${v.key} and ${control.key} yet: ${effect}, p = ${v.p_value_adjusted.toPrecision(2)}.`;
  });
  return lines.join(' ');
}

/** Results of `experiment` for one metric, with days cut in `timezone`. */
export async function experimentResults(
  wh: Warehouse,
  workspaceId: string,
  experiment: Experiment,
  metric: Metric,
  timezone: string,
): Promise<ExperimentResults> {
  const rows = await wh.query<DayRow>(
    sql('experiments/results'),
    workspaceParams(workspaceId, { experiment: experiment.id, event_type: EVENT_OF[metric], hours: experiment.spec.attribution_hours, tz: timezone }),
  );
  const keys = experiment.spec.variants.map((v) => v.key);
  const totals = new Map(keys.map((k) => [k, totalsUpTo(rows, k)]));
  const control = totals.get(keys[0]!)!;
  const variants: VariantResult[] = keys.map((key) => {
    const t = totals.get(key)!;
    const base: VariantResult = {
      key,
      n: t.n,
      successes: t.successes,
      uplift_abs: null,
      uplift_rel: null,
      ci_low: null,
      ci_high: null,
      rel_ci_low: null,
      rel_ci_high: null,
      p_value: null,
      p_value_adjusted: null,
      prob_to_beat_control: null,
      expected_loss: null,
      sequential_p_value: null,
      sequential_ci_low: null,
      sequential_ci_high: null,
      ...(metric === 'revenue' ? { mean: summaryOf(t).mean } : { rate: t.n ? t.successes / t.n : 0 }),
    };
    if (key === keys[0] || t.n < 2 || control.n < 2) return base;
    const history = looks(rows, keys[0]!, key).map(([c, x]) => sequentialLook(metric, c, x));
    if (metric === 'revenue') {
      const sc = summaryOf(control);
      const w = welchTest(sc, summaryOf(t), ALPHA);
      const pooledMean = (control.revenueSum + t.revenueSum) / (control.n + t.n);
      const seq = mixtureSequentialTest(history, (experiment.spec.mde_rel * pooledMean) ** 2 || 1e-12, ALPHA);
      const rel = (x: number) => (sc.mean ? x / sc.mean : null);
      return {
        ...base,
        uplift_abs: w.diff,
        uplift_rel: rel(w.diff),
        ci_low: w.ciLow,
        ci_high: w.ciHigh,
        rel_ci_low: rel(w.ciLow),
        rel_ci_high: rel(w.ciHigh),
        p_value: w.pValue,
        sequential_p_value: seq.pValue,
        sequential_ci_low: seq.ciLow,
        sequential_ci_high: seq.ciHigh,
      };
    }
    const cmp = compareProportions(control, t, ALPHA);
    const pooledRate = (control.successes + t.successes) / (control.n + t.n);
    const seq = mixtureSequentialTest(history, (experiment.spec.mde_rel * pooledRate) ** 2 || 1e-12, ALPHA);
    return {
      ...base,
      uplift_abs: cmp.upliftAbs,
      uplift_rel: Number.isFinite(cmp.upliftRel) ? cmp.upliftRel : null,
      ci_low: cmp.ciLow,
      ci_high: cmp.ciHigh,
      rel_ci_low: Number.isFinite(cmp.relCiLow) ? cmp.relCiLow : null,
      rel_ci_high: Number.isFinite(cmp.relCiHigh) ? cmp.relCiHigh : null,
      p_value: cmp.pValue,
      prob_to_beat_control: probabilityToBeatControl(posterior(control), posterior(t)),
      expected_loss: expectedLoss(posterior(control), posterior(t)),
      sequential_p_value: seq.pValue,
      sequential_ci_low: seq.ciLow,
      sequential_ci_high: seq.ciHigh,
    };
  });
  const compared = variants.filter((v) => v.p_value !== null);
  holmAdjust(compared.map((v) => v.p_value!)).forEach((p, i) => (compared[i]!.p_value_adjusted = p));
  const srm = chiSquaredGoodnessOfFit(
    variants.map((v) => v.n),
    experiment.spec.variants.map((v) => v.weight),
  );
  const srmDetected = variants.every((v) => v.n > 0) && srm.pValue < SRM_THRESHOLD;
  return {
    experiment_id: experiment.id,
    metric,
    timezone,
    variants,
    srm_p_value: srm.pValue,
    srm_detected: srmDetected,
    verdict: verdictOf(metric, variants, srmDetected),
  };
}
