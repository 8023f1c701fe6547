/**
 * Experiment results: per-variant counts from the warehouse, compared with the control (the first
 * variant) by the tests in statistics.ts, with a plain-language verdict.
 *
 * Definitions: n = recipients exposed (first exposure event); success = the metric's event (click,
 * conversion, successful delivery) within attribution_hours after the first exposure; revenue = revenue
 * per exposed recipient over the same window. The sequential p-value treats each local day of exposure
 * as one look at the cumulative data (daily-looks.ts). CUPED adjusts by the same metric over the
 * cuped_days before each recipient's first exposure (cuped.ts). Guardrails are event types whose rate
 * must not rise: each is tested like a rate metric, unadjusted, and a significant rise is harm.
 */
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { covariateProblem, cupedCompare, type CovariateSums } from './cuped.ts';
import { sequentialOf, sequentialSeries, totalsUpTo, type DayRow, type SequentialPoint, type Totals } from './daily-looks.ts';
import { DEFAULT_CUPED_DAYS, type Metric } from './experiment-schema.ts';
import type { Experiment } from './experiments.ts';
import {
  adjustPValues,
  chiSquaredGoodnessOfFit,
  compareProportions,
  expectedLoss,
  posterior,
  probabilityToBeatControl,
  proportionProblem,
  summaryOfSums,
  sumsProblem,
  welchTest,
  type Correction,
  type Sums,
} from './statistics.ts';

export const SRM_THRESHOLD = 0.001;
const ALPHA = 0.05;

/** The CUPED-adjusted comparison beside the unadjusted one. */
export interface CupedFigures {
  theta: number;
  variance_reduction: number;
  uplift_abs: number;
  uplift_rel: number | null;
  ci_low: number;
  ci_high: number;
  rel_ci_low: number | null;
  rel_ci_high: number | null;
  p_value: number | null;
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
  /** CI of uplift_rel by the delta method (rates: normal quantile; revenue: t quantile at Welch's df). */
  rel_ci_low: number | null;
  rel_ci_high: number | null;
  p_value: number | null;
  p_value_adjusted: number | null;
  prob_to_beat_control: number | null;
  expected_loss: number | null;
  sequential_p_value: number | null;
  sequential_ci_low: number | null;
  sequential_ci_high: number | null;
  /** The sequential p-value after each local day of exposure (empty for the control and uncompared variants). */
  sequential_looks: SequentialPoint[];
  /** Why this variant was not compared (impossible or degenerate sums), else null. */
  not_enough_information: string | null;
  cuped: CupedFigures | null;
}

export interface GuardrailVariant {
  key: string;
  n: number;
  successes: number;
  rate: number;
  uplift_abs: number | null;
  uplift_rel: number | null;
  ci_low: number | null;
  ci_high: number | null;
  p_value: number | null;
  /** The variant's rate of this bad event is significantly higher than the control's (p < 0.05). */
  harm_detected: boolean;
}

export interface GuardrailResult {
  event_type: string;
  harm_detected: boolean;
  variants: GuardrailVariant[];
}

export interface ExperimentResults {
  experiment_id: string;
  metric: Metric;
  timezone: string;
  correction: Correction;
  cuped_days: number;
  variants: VariantResult[];
  guardrails: GuardrailResult[];
  srm_p_value: number;
  srm_detected: boolean;
  verdict: string;
}

const EVENT_OF: Record<Metric, string> = { conversion: 'conversion', click: 'click', delivery: 'delivery', revenue: 'conversion' };

/** The metric's sums per recipient: revenue, or the 0/1 success indicator (Σy² = Σy). */
function metricSums(metric: Metric, t: Totals): CovariateSums {
  const [sum, sumSquares] = metric === 'revenue' ? [t.revenueSum, t.revenueSq] : [t.successes, t.successes];
  return { n: t.n, sum, sumSquares, xSum: t.xSum, xSquares: t.xSq, xySum: t.xySum };
}

const revenueSums = (t: Totals): Sums => ({ n: t.n, sum: t.revenueSum, sumSquares: t.revenueSq });
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

function cupedFigures(metric: Metric, c: Totals, t: Totals): CupedFigures | null {
  const control = metricSums(metric, c);
  const treatment = metricSums(metric, t);
  if (covariateProblem(control) || covariateProblem(treatment)) return null;
  const r = cupedCompare(control, treatment, ALPHA);
  if (!Number.isFinite(r.pValue)) return null;
  return {
    theta: r.theta,
    variance_reduction: r.varianceReduction,
    uplift_abs: r.diff,
    uplift_rel: finite(r.upliftRel),
    ci_low: r.ciLow,
    ci_high: r.ciHigh,
    rel_ci_low: finite(r.relCiLow),
    rel_ci_high: finite(r.relCiHigh),
    p_value: r.pValue,
  };
}

/** Why the control and a variant cannot be compared on `metric`, or null. */
function problemOf(metric: Metric, c: Totals, t: Totals): string | null {
  if (metric !== 'revenue') return proportionProblem(c) ?? proportionProblem(t);
  const problem = sumsProblem(revenueSums(c)) ?? sumsProblem(revenueSums(t));
  if (problem) return problem;
  if (summaryOfSums(revenueSums(c)).variance === 0 && summaryOfSums(revenueSums(t)).variance === 0) return 'no variation in revenue in either arm';
  return null;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const signed = (x: number) => `${x >= 0 ? '+' : ''}${pct(x)}`;

function harmSentence(guardrails: readonly GuardrailResult[], control: string): string {
  const harms = guardrails.flatMap((g) =>
    g.variants
      .filter((v) => v.harm_detected)
      .map(
        (v) => `${v.key} raises the ${g.event_type} rate to ${pct(v.rate)} (${signed(v.uplift_abs!)} points vs ${control}, p = ${v.p_value!.toPrecision(2)})`,
      ),
  );
  return harms.length ? ` Guardrail harm: ${harms.join('; ')}.` : '';
}

function verdictOf(metric: Metric, variants: VariantResult[], srm: boolean, guardrails: readonly GuardrailResult[]): string {
  if (srm)
    return `Sample ratio mismatch (p < ${SRM_THRESHOLD}): recipients did not split as configured, so these results cannot be trusted. Check the allocation and exposure logging.`;
  const [control, ...rest] = variants;
  if (!control || control.n === 0) return 'No exposures yet.';
  const lines = rest.map((v) => {
    if (v.not_enough_information) return `${v.key}: not enough information (${v.not_enough_information}).`;
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
  return lines.join(' ') + harmSentence(guardrails, control.key);
}

function emptyResult(key: string, t: Totals, metric: Metric): VariantResult {
  return {
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
    sequential_looks: [],
    not_enough_information: null,
    cuped: null,
    ...(metric === 'revenue' ? { mean: t.n ? t.revenueSum / t.n : 0 } : { rate: t.n ? t.successes / t.n : 0 }),
  };
}

/** One variant against the control on the primary metric. */
function compareVariant(rows: DayRow[], metric: Metric, experiment: Experiment, controlKey: string, key: string, useCuped: boolean): VariantResult {
  const control = totalsUpTo(rows, controlKey);
  const t = totalsUpTo(rows, key);
  const base = emptyResult(key, t, metric);
  if (key === controlKey || t.n < 2 || control.n < 2) return base;
  const problem = problemOf(metric, control, t);
  if (problem) return { ...base, not_enough_information: problem };
  const seq = sequentialOf(rows, metric, controlKey, key, experiment.spec.mde_rel, ALPHA);
  const common = {
    sequential_p_value: seq.pValue,
    sequential_ci_low: seq.ciLow,
    sequential_ci_high: seq.ciHigh,
    sequential_looks: sequentialSeries(rows, metric, controlKey, key, experiment.spec.mde_rel, ALPHA),
    cuped: useCuped ? cupedFigures(metric, control, t) : null,
  };
  if (metric === 'revenue') {
    const w = welchTest(summaryOfSums(revenueSums(control)), summaryOfSums(revenueSums(t)), ALPHA);
    return {
      ...base,
      ...common,
      uplift_abs: w.diff,
      uplift_rel: finite(w.upliftRel),
      ci_low: w.ciLow,
      ci_high: w.ciHigh,
      rel_ci_low: finite(w.relCiLow),
      rel_ci_high: finite(w.relCiHigh),
      p_value: w.pValue,
    };
  }
  const cmp = compareProportions(control, t, ALPHA);
  return {
    ...base,
    ...common,
    uplift_abs: cmp.upliftAbs,
    uplift_rel: finite(cmp.upliftRel),
    ci_low: cmp.ciLow,
    ci_high: cmp.ciHigh,
    rel_ci_low: finite(cmp.relCiLow),
    rel_ci_high: finite(cmp.relCiHigh),
    p_value: cmp.pValue,
    prob_to_beat_control: probabilityToBeatControl(posterior(control), posterior(t)),
    expected_loss: expectedLoss(posterior(control), posterior(t)),
  };
}

/** A guardrail event's rate per variant against the control; harm = a significantly higher rate. */
function guardrailOf(eventType: string, rows: DayRow[], keys: string[]): GuardrailResult {
  const control = totalsUpTo(rows, keys[0]!);
  const variants = keys.map((key): GuardrailVariant => {
    const t = totalsUpTo(rows, key);
    const base = { key, n: t.n, successes: t.successes, rate: t.n ? t.successes / t.n : 0, uplift_abs: null, uplift_rel: null, ci_low: null, ci_high: null };
    if (key === keys[0] || proportionProblem(control) || proportionProblem(t)) return { ...base, p_value: null, harm_detected: false };
    const cmp = compareProportions(control, t, ALPHA);
    return {
      ...base,
      uplift_abs: cmp.upliftAbs,
      uplift_rel: finite(cmp.upliftRel),
      ci_low: cmp.ciLow,
      ci_high: cmp.ciHigh,
      p_value: cmp.pValue,
      harm_detected: cmp.pValue < ALPHA && cmp.upliftAbs > 0,
    };
  });
  return { event_type: eventType, harm_detected: variants.some((v) => v.harm_detected), variants };
}

export interface ResultOptions {
  /** Overrides the experiment's correction (default holm). */
  correction?: Correction;
}

/** Results of `experiment` for one metric, with days cut in `timezone`. */
export async function experimentResults(
  wh: Warehouse,
  workspaceId: string,
  experiment: Experiment,
  metric: Metric,
  timezone: string,
  options: ResultOptions = {},
): Promise<ExperimentResults> {
  const { spec } = experiment;
  const cupedDays = spec.cuped_days ?? DEFAULT_CUPED_DAYS;
  const correction = options.correction ?? spec.correction ?? 'holm';
  const rowsOf = (eventType: string, revenueMetric: boolean, days: number) =>
    wh.query<DayRow>(
      sql('experiments/results'),
      workspaceParams(workspaceId, {
        experiment: experiment.id,
        event_type: eventType,
        hours: spec.attribution_hours,
        tz: timezone,
        cuped_days: days,
        revenue_metric: revenueMetric,
      }),
    );
  const rows = await rowsOf(EVENT_OF[metric], metric === 'revenue', cupedDays);
  const keys = spec.variants.map((v) => v.key);
  const variants = keys.map((key) => compareVariant(rows, metric, experiment, keys[0]!, key, cupedDays > 0));
  const compared = variants.filter((v) => v.p_value !== null);
  adjustPValues(
    compared.map((v) => v.p_value!),
    correction,
  ).forEach((p, i) => (compared[i]!.p_value_adjusted = p));
  const guardrails: GuardrailResult[] = [];
  for (const eventType of spec.guardrails ?? []) guardrails.push(guardrailOf(eventType, await rowsOf(eventType, false, 0), keys));
  const srm = chiSquaredGoodnessOfFit(
    variants.map((v) => v.n),
    spec.variants.map((v) => v.weight),
  );
  const srmDetected = variants.every((v) => v.n > 0) && srm.pValue < SRM_THRESHOLD;
  return {
    experiment_id: experiment.id,
    metric,
    timezone,
    correction,
    cuped_days: cupedDays,
    variants,
    guardrails,
    srm_p_value: srm.pValue,
    srm_detected: srmDetected,
    verdict: verdictOf(metric, variants, srmDetected, guardrails),
  };
}
