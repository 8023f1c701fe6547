/**
 * CUPED (Deng, Xu, Kohavi, Walker 2013): the metric is adjusted by a covariate measured before exposure,
 * y − θ (x − x̄), which keeps the estimate unbiased (x cannot depend on the variant) and removes the
 * variance x explains. θ is the pooled within-arm slope Σ_k Sxy_k / Σ_k Sxx_k over the two arms compared,
 * so the adjusted difference equals the treatment coefficient of the regression y ~ 1 + treatment + x
 * (ANCOVA); its variance treats θ as known, as is usual.
 */
import { summaryOfSums, sumsProblem, welchTest, type SampleSummary, type Sums, type WelchResult } from './statistics.ts';

/** One arm's sums of the metric y and the pre-period covariate x over its recipients. */
export interface CovariateSums extends Sums {
  /** Σx, Σx², Σxy */
  xSum: number;
  xSquares: number;
  xySum: number;
}

export interface CupedResult extends WelchResult {
  theta: number;
  /** 1 − Var(adjusted difference) / Var(unadjusted difference). */
  varianceReduction: number;
}

const xSums = (a: CovariateSums): Sums => ({ n: a.n, sum: a.xSum, sumSquares: a.xSquares });
/** Centred cross-product Σ(x − x̄)(y − ȳ) and Σ(x − x̄)² of one arm. */
const sxy = (a: CovariateSums) => a.xySum - (a.xSum * a.sum) / a.n;
const sxx = (a: CovariateSums) => a.xSquares - (a.xSum * a.xSum) / a.n;

/** Why the covariate sums cannot be used, or null (the metric's own sums are checked by the caller). */
export function covariateProblem(a: CovariateSums): string | null {
  const x = sumsProblem(xSums(a));
  if (x) return `pre-period covariate: ${x}`;
  const sy = Math.max(0, a.sumSquares - (a.sum * a.sum) / a.n);
  // Cauchy–Schwarz: (Sxy)² ≤ Sxx Syy, with rounding slack.
  if (sxy(a) ** 2 > Math.max(0, sxx(a)) * sy * (1 + 1e-9) + 1e-12) return 'impossible covariate sums: |cov(x, y)| exceeds sd(x) sd(y)';
  return null;
}

/** The adjusted per-recipient summary of an arm: mean ȳ − θ(x̄ − x̄_pooled), variance of y − θx. */
function adjusted(a: CovariateSums, theta: number, pooledX: number): SampleSummary {
  const y = summaryOfSums(a);
  const x = summaryOfSums(xSums(a));
  const cov = sxy(a) / (a.n - 1);
  return { n: a.n, mean: y.mean - theta * (x.mean - pooledX), variance: Math.max(0, y.variance + theta ** 2 * x.variance - 2 * theta * cov) };
}

/** CUPED-adjusted Welch comparison of treatment against control (checked sums only). */
export function cupedCompare(control: CovariateSums, treatment: CovariateSums, alpha = 0.05): CupedResult {
  const sxxPooled = sxx(control) + sxx(treatment);
  const theta = sxxPooled > 0 ? (sxy(control) + sxy(treatment)) / sxxPooled : 0;
  const pooledX = (control.xSum + treatment.xSum) / (control.n + treatment.n);
  const c = adjusted(control, theta, pooledX);
  const t = adjusted(treatment, theta, pooledX);
  const result = welchTest(c, t, alpha);
  const raw = summaryOfSums(control).variance / control.n + summaryOfSums(treatment).variance / treatment.n;
  const adjustedVariance = c.variance / c.n + t.variance / t.n;
  return { ...result, theta, varianceReduction: raw > 0 ? 1 - adjustedVariance / raw : 0 };
}
