/**
 * The statistics of experiment results. Distribution functions come from stdlib (accurate to machine
 * precision; simple-statistics' normal CDF is a 0.01-step table, too coarse for p-values); sums and
 * variances from simple-statistics. Every function is checked against R in the tests. p-values come from
 * the upper tails themselves (Φ(−|z|), the t CDF at −|t|, the regularized upper incomplete gamma), never
 * 1 − CDF, which cancels to 0 below ~1e-16.
 */
import betaln from '@stdlib/math-base-special-betaln';
import gammainc from '@stdlib/math-base-special-gammainc';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { mean, sampleVariance } from 'simple-statistics';

/** Standard normal CDF Φ. */
export const phi = (z: number): number => normalCdf(z, 0, 1);
/** Standard normal quantile Φ⁻¹. */
export const phiInverse = (p: number): number => normalQuantile(p, 0, 1);

export interface Proportion {
  n: number;
  successes: number;
}

export interface ProportionComparison {
  /** treatment rate − control rate */
  upliftAbs: number;
  /** treatment rate / control rate − 1 */
  upliftRel: number;
  z: number;
  /** Two-sided, pooled-variance two-proportion z-test. */
  pValue: number;
  /** Wald CI of upliftAbs, unpooled variance. */
  ciLow: number;
  ciHigh: number;
  /** CI of upliftRel by the delta method. */
  relCiLow: number;
  relCiHigh: number;
}

/** Two-proportion comparison of treatment against control at confidence 1 − alpha. */
export function compareProportions(control: Proportion, treatment: Proportion, alpha = 0.05): ProportionComparison {
  const pc = control.successes / control.n;
  const pt = treatment.successes / treatment.n;
  const pooled = (control.successes + treatment.successes) / (control.n + treatment.n);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
  const diff = pt - pc;
  const z = sePooled > 0 ? diff / sePooled : 0;
  const varC = (pc * (1 - pc)) / control.n;
  const varT = (pt * (1 - pt)) / treatment.n;
  const zCrit = phiInverse(1 - alpha / 2);
  const se = Math.sqrt(varC + varT);
  const ratio = pc > 0 ? pt / pc : NaN;
  // Var(pt/pc) ≈ (pt/pc)² (varT/pt² + varC/pc²) = varT/pc² + pt² varC/pc⁴
  const seRel = pc > 0 ? Math.sqrt(varT / pc ** 2 + (pt ** 2 * varC) / pc ** 4) : NaN;
  return {
    upliftAbs: diff,
    upliftRel: ratio - 1,
    z,
    pValue: sePooled > 0 ? 2 * phi(-Math.abs(z)) : 1,
    ciLow: diff - zCrit * se,
    ciHigh: diff + zCrit * se,
    relCiLow: ratio - 1 - zCrit * seRel,
    relCiHigh: ratio - 1 + zCrit * seRel,
  };
}

export interface SampleSummary {
  n: number;
  mean: number;
  /** Sample variance (n − 1 in the denominator). */
  variance: number;
}

/** n, mean and sample variance of raw values (simple-statistics). */
export function summarize(values: readonly number[]): SampleSummary {
  return { n: values.length, mean: mean(values as number[]), variance: values.length > 1 ? sampleVariance(values as number[]) : 0 };
}

/** The sufficient statistics of one arm's values, as the warehouse returns them. */
export interface Sums {
  n: number;
  sum: number;
  sumSquares: number;
}

/** Σx² may fall below (Σx)²/n by rounding only: a relative slack of 1e-9 of Σx² (sums of ≥ 0 values). */
const ROUNDING = 1e-9;

/**
 * Why `s` cannot be analysed, or null: as gbstats, impossible or degenerate sums give "not enough
 * information" rather than a clamped variance (a clamped 0 made p = 0).
 */
export function sumsProblem(s: Sums, nonNegative = true): string | null {
  if (!(Number.isInteger(s.n) && s.n >= 2)) return 'fewer than 2 recipients';
  if (!Number.isFinite(s.sum) || !Number.isFinite(s.sumSquares)) return 'the sums are not finite';
  if (nonNegative && s.sum < 0) return 'a negative sum of values that cannot be negative';
  const deviation = s.sumSquares - (s.sum * s.sum) / s.n;
  if (s.sumSquares < 0 || deviation < -ROUNDING * Math.max(s.sumSquares, Number.MIN_VALUE))
    return 'impossible sums: the sum of squares is below (sum)²/n, which would be a negative variance';
  return null;
}

/** n, mean and sample variance from checked sums (deviation below rounding counts as 0). */
export function summaryOfSums(s: Sums): SampleSummary {
  const mean = s.sum / s.n;
  return { n: s.n, mean, variance: Math.max(0, (s.sumSquares - s.sum * mean) / (s.n - 1)) };
}

/** Why a proportion cannot be analysed, or null. */
export function proportionProblem(p: Proportion): string | null {
  if (!(Number.isInteger(p.n) && p.n >= 2)) return 'fewer than 2 recipients';
  if (!Number.isInteger(p.successes) || p.successes < 0 || p.successes > p.n) return `impossible counts: ${p.successes} successes of ${p.n}`;
  return null;
}

export interface WelchResult {
  /** treatment mean − control mean */
  diff: number;
  t: number;
  df: number;
  pValue: number;
  ciLow: number;
  ciHigh: number;
  /** treatment mean / control mean − 1, and its CI by the delta method (NaN when the control mean is 0). */
  upliftRel: number;
  relCiLow: number;
  relCiHigh: number;
}

/**
 * Welch's unequal-variance t-test of treatment against control, with its CI. The relative CI is
 * gbstats' (TwoSidedTTest): Var(m_t/m_c − 1) ≈ v_t/(n_t m_c²) + v_c m_t²/(n_c m_c⁴), with the t quantile
 * at the Welch–Satterthwaite df. Callers check the summaries first (sampleProblem): a zero standard error
 * gives NaN, never a p-value of 0.
 */
export function welchTest(control: SampleSummary, treatment: SampleSummary, alpha = 0.05): WelchResult {
  const vc = control.variance / control.n;
  const vt = treatment.variance / treatment.n;
  const se = Math.sqrt(vc + vt);
  const diff = treatment.mean - control.mean;
  // Welch–Satterthwaite degrees of freedom.
  const df = (vc + vt) ** 2 / (vc ** 2 / (control.n - 1) + vt ** 2 / (treatment.n - 1));
  const t = diff / se;
  const tCrit = tQuantile(1 - alpha / 2, df);
  const mc = control.mean;
  const upliftRel = mc !== 0 ? treatment.mean / mc - 1 : NaN;
  const seRel = Math.sqrt(vt / mc ** 2 + (treatment.mean ** 2 * vc) / mc ** 4);
  return {
    diff,
    t,
    df,
    pValue: se > 0 ? 2 * tCdf(-Math.abs(t), df) : NaN,
    ciLow: diff - tCrit * se,
    ciHigh: diff + tCrit * se,
    upliftRel,
    relCiLow: upliftRel - tCrit * seRel,
    relCiHigh: upliftRel + tCrit * seRel,
  };
}

/** Student t quantile by bisection on stdlib's CDF (monotone; 1e-12 in under 80 steps). */
function tQuantile(p: number, df: number): number {
  if (!(df > 0)) return NaN;
  let lo = 0;
  let hi = 1e3;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface GoodnessOfFit {
  chiSquared: number;
  df: number;
  pValue: number;
}

/** χ² goodness of fit of observed counts against expected shares (sample ratio mismatch). */
export function chiSquaredGoodnessOfFit(observed: readonly number[], weights: readonly number[]): GoodnessOfFit {
  const total = observed.reduce((a, b) => a + b, 0);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  let chiSquared = 0;
  observed.forEach((o, i) => {
    const expected = (total * weights[i]!) / weightSum;
    chiSquared += (o - expected) ** 2 / expected;
  });
  const df = observed.length - 1;
  // Upper tail P(χ²_df > x) = Q(df/2, x/2), the regularized upper incomplete gamma.
  return { chiSquared, df, pValue: total > 0 ? gammainc(chiSquared / 2, df / 2, true, true) : 1 };
}

/** Holm's step-down adjustment, as R's p.adjust(p, "holm"). */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/** Benjamini–Hochberg step-up adjustment (false discovery rate), as R's p.adjust(p, "BH"). */
export function bhAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
  const adjusted = new Array<number>(m);
  let running = 1;
  order.forEach(([p, i], k) => {
    // k counts from the largest p-value: its rank is m − k.
    running = Math.min(running, (m * p) / (m - k));
    adjusted[i] = running;
  });
  return adjusted;
}

export type Correction = 'holm' | 'bh';

/** The adjustment named by `correction` across comparisons read together. */
export const adjustPValues = (pValues: readonly number[], correction: Correction): number[] => (correction === 'bh' ? bhAdjust(pValues) : holmAdjust(pValues));

export interface BetaPosterior {
  alpha: number;
  beta: number;
}

/** Beta(1,1) prior updated with the observed successes and failures. */
export const posterior = ({ n, successes }: Proportion): BetaPosterior => ({ alpha: 1 + successes, beta: 1 + n - successes });

/** log(e^a + e^b) without overflow. */
const logAddExp = (a: number, b: number): number => (a === -Infinity ? b : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))));

/**
 * P(p_y > p_x) for p_x ~ Beta(a.alpha, a.beta) and p_y ~ Beta(b.alpha, b.beta) with integer α_y, by Evan
 * Miller's closed form Σ_{i<α_y} B(α_x+i, β_x+β_y) / ((β_y+i) B(1+i, β_y) B(α_x, β_x)), summed in logs: the
 * first term is B(α_x, β_x+β_y)/B(α_x, β_x) and each next one is the previous times
 * (α_x+i)/(α_x+β_x+β_y+i) · (β_y+i)/(1+i).
 */
function evanMillerSum(x: BetaPosterior, y: BetaPosterior): number {
  let logTerm = betaln(x.alpha, x.beta + y.beta) - betaln(x.alpha, x.beta);
  let logSum = -Infinity;
  for (let i = 0; i < y.alpha; i++) {
    logSum = logAddExp(logSum, logTerm);
    logTerm += Math.log((x.alpha + i) / (x.alpha + x.beta + y.beta + i)) + Math.log((y.beta + i) / (1 + i));
  }
  return Math.exp(logSum);
}

const mirrored = (p: BetaPosterior): BetaPosterior => ({ alpha: p.beta, beta: p.alpha });

/**
 * P(p_treatment > p_control) under independent Beta posteriors with whole-number parameters (what a
 * Beta(1,1) prior and counts give), exact up to rounding. Of the four equivalent forms (the sum over
 * α_t; one minus the sum over α_c; the same on 1 − p, over β_c or β_t) it takes the one with fewest terms.
 */
export function probabilityToBeatControl(control: BetaPosterior, treatment: BetaPosterior): number {
  for (const v of [control.alpha, control.beta, treatment.alpha, treatment.beta])
    if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`Beta parameters must be positive whole numbers, got ${v}`);
  const forms: [number, () => number][] = [
    [treatment.alpha, () => evanMillerSum(control, treatment)],
    [control.alpha, () => 1 - evanMillerSum(treatment, control)],
    // p_t > p_c ⇔ 1 − p_c > 1 − p_t, and 1 − p ~ Beta(β, α).
    [control.beta, () => evanMillerSum(mirrored(treatment), mirrored(control))],
    [treatment.beta, () => 1 - evanMillerSum(mirrored(control), mirrored(treatment))],
  ];
  const [, shortest] = forms.reduce((best, f) => (f[0] < best[0] ? f : best));
  return Math.min(1, Math.max(0, shortest()));
}

/**
 * Expected loss of choosing the treatment: E[max(p_c − p_t, 0)] = E[p_c 1(p_c > p_t)] − E[p_t 1(p_c > p_t)]
 * = m_c P(p_c′ > p_t) − m_t P(p_c > p_t′), where p′ ~ Beta(α + 1, β) (size-biased), so exact like
 * probabilityToBeatControl.
 */
export function expectedLoss(control: BetaPosterior, treatment: BetaPosterior): number {
  const meanC = control.alpha / (control.alpha + control.beta);
  const meanT = treatment.alpha / (treatment.alpha + treatment.beta);
  const upC = { alpha: control.alpha + 1, beta: control.beta };
  const upT = { alpha: treatment.alpha + 1, beta: treatment.beta };
  const loss = meanC * (1 - probabilityToBeatControl(upC, treatment)) - meanT * (1 - probabilityToBeatControl(control, upT));
  return Math.max(0, loss);
}

export interface SequentialLook {
  /** Estimated effect (treatment − control) at this look. */
  effect: number;
  /** Its variance estimate at this look. */
  variance: number;
}

export interface SequentialResult {
  /** Always-valid p-value after the last look: valid however often the results were read. */
  pValue: number;
  /** Always-valid (1 − alpha) confidence sequence for the effect at the last look. */
  ciLow: number;
  ciHigh: number;
}

/**
 * mSPRT with a normal mixing distribution N(0, τ²) over the effect (Johari, Pekelis, Walsh 2017):
 * Λ = √(V / (V + τ²)) · exp(τ² θ̂² / (2 V (V + τ²))) for an estimate θ̂ with variance V. The
 * always-valid p-value is min over looks of 1/Λ; the confidence sequence is
 * θ̂ ± √(V (V + τ²) / τ² · (2 ln(1/α) + ln((V + τ²) / V))).
 */
export function mixtureSequentialTest(looks: readonly SequentialLook[], tauSquared: number, alpha = 0.05): SequentialResult {
  let pValue = 1;
  for (const { effect, variance } of looks) {
    if (!(variance > 0)) continue;
    const logLambda = 0.5 * Math.log(variance / (variance + tauSquared)) + (tauSquared * effect ** 2) / (2 * variance * (variance + tauSquared));
    pValue = Math.min(pValue, Math.min(1, Math.exp(-logLambda)));
  }
  const last = looks[looks.length - 1];
  if (!last || !(last.variance > 0)) return { pValue, ciLow: -Infinity, ciHigh: Infinity };
  const v = last.variance;
  const half = Math.sqrt(((v * (v + tauSquared)) / tauSquared) * (2 * Math.log(1 / alpha) + Math.log((v + tauSquared) / v)));
  return { pValue, ciLow: last.effect - half, ciHigh: last.effect + half };
}

/**
 * Recipients per arm for a two-sided two-proportion test (the formula R's power.prop.test solves):
 * n = (z₁₋α/₂ √(2 p̄ q̄) + z₁₋β √(p₁q₁ + p₂q₂))² / (p₂ − p₁)².
 */
export function sampleSizePerArm(baseline: number, treated: number, alpha = 0.05, power = 0.8): number {
  const pBar = (baseline + treated) / 2;
  const za = phiInverse(1 - alpha / 2);
  const zb = phiInverse(power);
  const numerator = za * Math.sqrt(2 * pBar * (1 - pBar)) + zb * Math.sqrt(baseline * (1 - baseline) + treated * (1 - treated));
  return numerator ** 2 / (treated - baseline) ** 2;
}
