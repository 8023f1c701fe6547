/**
 * The statistics of experiment results. Distribution functions come from stdlib (accurate to machine
 * precision; simple-statistics' normal CDF is a 0.01-step table, too coarse for p-values); sums and
 * variances from simple-statistics. Every function is checked against R in the tests.
 */
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import betaPdf from '@stdlib/stats-base-dists-beta-pdf';
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
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
    pValue: sePooled > 0 ? 2 * (1 - phi(Math.abs(z))) : 1,
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

export interface WelchResult {
  /** treatment mean − control mean */
  diff: number;
  t: number;
  df: number;
  pValue: number;
  ciLow: number;
  ciHigh: number;
}

/** Welch's unequal-variance t-test of treatment against control, with its CI. */
export function welchTest(control: SampleSummary, treatment: SampleSummary, alpha = 0.05): WelchResult {
  const vc = control.variance / control.n;
  const vt = treatment.variance / treatment.n;
  const se = Math.sqrt(vc + vt);
  const diff = treatment.mean - control.mean;
  if (se === 0) return { diff, t: 0, df: control.n + treatment.n - 2, pValue: diff === 0 ? 1 : 0, ciLow: diff, ciHigh: diff };
  // Welch–Satterthwaite degrees of freedom.
  const df = (vc + vt) ** 2 / (vc ** 2 / (control.n - 1) + vt ** 2 / (treatment.n - 1));
  const t = diff / se;
  const tCrit = tQuantile(1 - alpha / 2, df);
  return { diff, t, df, pValue: 2 * (1 - tCdf(Math.abs(t), df)), ciLow: diff - tCrit * se, ciHigh: diff + tCrit * se };
}

/** Student t quantile by bisection on stdlib's CDF (monotone; 1e-12 in under 80 steps). */
function tQuantile(p: number, df: number): number {
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
  return { chiSquared, df, pValue: total > 0 ? 1 - chisquareCdf(chiSquared, df) : 1 };
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

export interface BetaPosterior {
  alpha: number;
  beta: number;
}

/** Beta(1,1) prior updated with the observed successes and failures. */
export const posterior = ({ n, successes }: Proportion): BetaPosterior => ({ alpha: 1 + successes, beta: 1 + n - successes });

/**
 * Integrates f over [0, 1] with composite Simpson's rule on the region where the treatment posterior
 * has its mass (mean ± 12 sd, which holds all but ~1e-30 of it), on 4,000 intervals.
 */
function integrateOverPosterior(t: BetaPosterior, f: (x: number) => number): number {
  const mean = t.alpha / (t.alpha + t.beta);
  const sd = Math.sqrt((t.alpha * t.beta) / ((t.alpha + t.beta) ** 2 * (t.alpha + t.beta + 1)));
  const lo = Math.max(0, mean - 12 * sd);
  const hi = Math.min(1, mean + 12 * sd);
  const steps = 4000;
  const h = (hi - lo) / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const x = lo + i * h;
    const w = i === 0 || i === steps ? 1 : i % 2 ? 4 : 2;
    sum += w * betaPdf(x, t.alpha, t.beta) * f(x);
  }
  return (sum * h) / 3;
}

/** P(p_treatment > p_control) under independent Beta posteriors (numerical; error well below 1e-6). */
export function probabilityToBeatControl(control: BetaPosterior, treatment: BetaPosterior): number {
  return integrateOverPosterior(treatment, (x) => betaCdf(x, control.alpha, control.beta));
}

/**
 * Expected loss of choosing the treatment: E[max(p_control − p_treatment, 0)], using
 * E[(p_c − x)+] = mean_c · (1 − I_x(α_c + 1, β_c)) − x · (1 − I_x(α_c, β_c)).
 */
export function expectedLoss(control: BetaPosterior, treatment: BetaPosterior): number {
  const meanC = control.alpha / (control.alpha + control.beta);
  return integrateOverPosterior(
    treatment,
    (x) => meanC * (1 - betaCdf(x, control.alpha + 1, control.beta)) - x * (1 - betaCdf(x, control.alpha, control.beta)),
  );
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
