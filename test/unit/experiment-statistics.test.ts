/**
 * Experiment statistics against reference values from R 4.2.2 (stats package), produced by
 * test/fixtures/reference-values.R: prop.test(correct = FALSE) for the pooled z-test p-value and the
 * Wald CI, t.test for Welch, chisq.test for SRM, p.adjust("holm"), power.prop.test, and integrate()
 * over dbeta/pbeta for the Bayesian figures. Tolerance 1e-6 unless said otherwise. Issue 14's figures come
 * from test/fixtures/stats-references.py (gbstats' published t-test case, NIST's AUTO83B Welch case via
 * Boost.Math, Benjamini & Hochberg 1995 via scipy, mpmath quadrature for the Beta figures, least squares
 * for CUPED); the provenance of each input is in that file's header.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cupedCompare, covariateProblem } from '../../experiments/cuped.ts';
import { sequentialOf, sequentialSeries, type DayRow } from '../../experiments/daily-looks.ts';
import { GUARDRAIL_EVENTS } from '../../experiments/experiment-schema.ts';
import { EVENT_TYPES } from '../../ingest/event-schema.ts';
import {
  adjustPValues,
  bhAdjust,
  chiSquaredGoodnessOfFit,
  compareProportions,
  expectedLoss,
  holmAdjust,
  phi,
  phiInverse,
  posterior,
  probabilityToBeatControl,
  proportionProblem,
  sampleSizePerArm,
  summarize,
  sumsProblem,
  welchTest,
} from '../../experiments/statistics.ts';
import { seededRandom } from '../../demo/random.ts';

const close = (actual: number, expected: number, tol = 1e-6, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} differs from ${expected} by more than ${tol}`);

describe('statistics against R', () => {
  it('normal CDF and quantile (pnorm, qnorm)', () => {
    close(phi(1.964), 0.975234954045444, 1e-12);
    close(phi(-2.5), 0.00620966532577613, 1e-12);
    close(phiInverse(0.975), 1.95996398454005, 1e-10);
  });

  // prop.test(c(xt, xc), c(nt, nc), correct = FALSE): p-value and CI of pt − pc.
  const propCases = [
    {
      t: { successes: 150, n: 1000 },
      c: { successes: 120, n: 1000 },
      p: 0.0496403868653688,
      ci: [7.60288212977925e-5, 0.0599239711787022],
      chisq: 3.85356454720617,
    },
    { t: { successes: 60, n: 480 }, c: { successes: 45, n: 500 }, p: 0.0765814090356703, ci: [-0.00378870155598563, 0.0737887015559856], chisq: 3.136 },
    {
      t: { successes: 530, n: 5000 },
      c: { successes: 500, n: 5000 },
      p: 0.323654595212359,
      ci: [-0.00591438875936764, 0.0179143887593676],
      chisq: 0.974120855927525,
    },
  ];
  for (const [i, k] of propCases.entries()) {
    it(`two-proportion z-test and Wald CI, case ${i + 1} (prop.test)`, () => {
      const r = compareProportions(k.c, k.t);
      close(r.pValue, k.p, 1e-9, 'p');
      close(r.z ** 2, k.chisq, 1e-9, 'z² = χ²');
      close(r.ciLow, k.ci[0]!, 1e-9, 'ci low');
      close(r.ciHigh, k.ci[1]!, 1e-9, 'ci high');
    });
  }

  it('relative uplift CI by the delta method equals its closed form computed by hand', () => {
    const r = compareProportions({ successes: 120, n: 1000 }, { successes: 150, n: 1000 });
    // pc = .12, pt = .15: Var = .15·.85/1000/.12² + .15²·.12·.88/1000/.12⁴ = 0.0088541667 + 0.0114583333
    const se = Math.sqrt((0.15 * 0.85) / 1000 / 0.0144 + (0.0225 * 0.12 * 0.88) / 1000 / 0.12 ** 4);
    close(r.upliftRel, 0.25, 1e-12);
    close(r.relCiLow, 0.25 - 1.95996398454005 * se, 1e-9);
    close(r.relCiHigh, 0.25 + 1.95996398454005 * se, 1e-9);
  });

  it("Welch's t-test on R's sleep data (t.test(extra ~ group, data = sleep))", () => {
    const g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
    // R reports group 1 − group 2: treat group 2 as control.
    const r = welchTest(summarize(g2), summarize(g1));
    close(r.t, -1.86081346748685, 1e-9, 't');
    close(r.df, 17.7764735161785, 1e-9, 'df');
    close(r.pValue, 0.0793941401873582, 1e-9, 'p');
    close(r.ciLow, -3.36548323071171, 1e-6, 'ci low');
    close(r.ciHigh, 0.20548323071171, 1e-6, 'ci high');
  });

  it("Welch's t-test on revenue per recipient (t.test(b, a))", () => {
    const a = [0, 0, 0, 12.5, 0, 30, 0, 0, 7.25, 0, 0, 99, 0, 0, 0, 18];
    const b = [0, 45, 0, 0, 22, 0, 0, 13.5, 0, 60, 0, 0, 8, 0];
    const r = welchTest(summarize(a), summarize(b));
    close(r.t, 0.0228341940097406, 1e-9, 't');
    close(r.df, 27.5277827614423, 1e-9, 'df');
    close(r.pValue, 0.981947250423343, 1e-9, 'p');
    close(r.ciLow, -16.4475726972961, 1e-6, 'ci low');
    close(r.ciHigh, 16.8181084115818, 1e-6, 'ci high');
  });

  it('χ² goodness of fit for sample ratio mismatch (chisq.test(x, p = ...))', () => {
    const two = chiSquaredGoodnessOfFit([5120, 4880], [50, 50]);
    close(two.chiSquared, 5.76, 1e-12);
    close(two.pValue, 0.0163950718491923, 1e-9);
    const three = chiSquaredGoodnessOfFit([2450, 2600, 4950], [1, 1, 2]);
    close(three.chiSquared, 5.5, 1e-12);
    close(three.pValue, 0.0639278612067076, 1e-9);
    const srm = chiSquaredGoodnessOfFit([5400, 4600], [1, 1]);
    close(srm.pValue, 1.24419211485436e-15, 1e-15);
  });

  it('Holm adjustment (p.adjust(p, "holm"))', () => {
    holmAdjust([0.01, 0.04, 0.03, 0.005]).forEach((p, i) => close(p, [0.03, 0.06, 0.06, 0.02][i]!, 1e-12));
    holmAdjust([0.2, 0.001, 0.049]).forEach((p, i) => close(p, [0.2, 0.003, 0.098][i]!, 1e-12));
  });

  it('sample size per arm (power.prop.test with tol = 1e-12; its default tolerance is 1.2e-4)', () => {
    close(sampleSizePerArm(0.5, 0.75, 0.05, 0.9), 76.7069284517774, 1e-6);
    close(sampleSizePerArm(0.1, 0.12, 0.05, 0.8), 3840.84748243628, 1e-6);
    close(sampleSizePerArm(0.05, 0.055, 0.01, 0.8), 46475.0157136184, 1e-6);
  });

  const betaCases = [
    { c: { successes: 120, n: 1000 }, t: { successes: 150, n: 1000 }, prob: 0.975067836812144, loss: 0.000144177855111833 },
    { c: { successes: 45, n: 500 }, t: { successes: 60, n: 480 }, prob: 0.96131160983369, loss: 0.000308318089057148 },
    { c: { successes: 10, n: 100 }, t: { successes: 9, n: 100 }, prob: 0.407199659753669, loss: 0.0221255533452455 },
  ];
  for (const [i, k] of betaCases.entries()) {
    it(`Beta(1,1) probability to beat control and expected loss, case ${i + 1} (integrate over dbeta · pbeta)`, () => {
      close(probabilityToBeatControl(posterior(k.c), posterior(k.t)), k.prob, 1e-7, 'P(T > C)');
      close(expectedLoss(posterior(k.c), posterior(k.t)), k.loss, 1e-7, 'expected loss');
    });
  }

  it("P(T > C) matches Evan Miller's exact closed form for integer parameters (a second method)", () => {
    // P(pB > pA) = Σ_{i=0}^{αB−1} B(αA+i, βA+βB) / ((βB+i) B(1+i, βB) B(αA, βA)), in logs.
    const lgamma = (x: number): number => {
      // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 relative for x > 0.
      const g = 7;
      const c = [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
        9.9843695780195716e-6, 1.5056327351493116e-7,
      ];
      if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
      x -= 1;
      let a = c[0]!;
      const t = x + g + 0.5;
      for (let i = 1; i < g + 2; i++) a += c[i]! / (x + i);
      return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
    };
    const lbeta = (a: number, b: number) => lgamma(a) + lgamma(b) - lgamma(a + b);
    const exact = (A: { alpha: number; beta: number }, B: { alpha: number; beta: number }) => {
      let total = 0;
      for (let i = 0; i < B.alpha; i++)
        total += Math.exp(lbeta(A.alpha + i, A.beta + B.beta) - Math.log(B.beta + i) - lbeta(1 + i, B.beta) - lbeta(A.alpha, A.beta));
      return total;
    };
    for (const k of betaCases) close(probabilityToBeatControl(posterior(k.c), posterior(k.t)), exact(posterior(k.c), posterior(k.t)), 1e-6);
  });

  it('sequential test on the daily looks results.ts makes: A/A experiments read daily keep false positives at α; the naive daily z-test does not', () => {
    // Rows shaped as sql/queries/experiments/results.sql returns them (one per variant and local day), turned
    // into looks by the same sequentialOf that results.ts calls. 1,000 experiments × 14 days, seeded.
    const rnd = seededRandom(20261123);
    const experiments = 1000;
    const days = 14;
    const perDay = 200;
    const rate = 0.1;
    let sequentialRejections = 0;
    let naiveRejections = 0;
    const binomial = (n: number, p: number) => {
      let k = 0;
      for (let i = 0; i < n; i++) if (rnd.next() < p) k++;
      return k;
    };
    for (let e = 0; e < experiments; e++) {
      const rows: DayRow[] = [];
      const c = { n: 0, successes: 0 };
      const t = { n: 0, successes: 0 };
      let naive = false;
      for (let d = 0; d < days; d++) {
        const day = `2026-03-${String(d + 1).padStart(2, '0')}`;
        for (const [variant, acc] of [
          ['a', c],
          ['b', t],
        ] as const) {
          const successes = binomial(perDay, rate);
          acc.n += perDay;
          acc.successes += successes;
          rows.push({ variant, day, n: String(perDay), successes: String(successes), revenue_sum: 0, revenue_sq: 0, x_sum: 0, x_sq: 0, xy_sum: 0 });
        }
        if (compareProportions(c, t).pValue < 0.05) naive = true;
      }
      if (sequentialOf(rows, 'click', 'a', 'b', 0.1, 0.05).pValue < 0.05) sequentialRejections++;
      if (naive) naiveRejections++;
    }
    const sequentialRate = sequentialRejections / experiments;
    const naiveRate = naiveRejections / experiments;
    // Tolerance: α + 3 binomial standard errors at n = 1000 (3·√(.05·.95/1000) ≈ 0.021).
    assert.ok(sequentialRate <= 0.05 + 0.021, `sequential false-positive rate ${sequentialRate}`);
    assert.ok(naiveRate > 0.1, `peeking at a fixed-horizon test daily inflates false positives: ${naiveRate}`);
  });

  it('the sequential p-value over time: one point per look, never rising, ending at the final sequential p-value', () => {
    const day = (d: number) => `2026-03-0${d}`;
    const row = (variant: string, d: number, n: number, successes: number): DayRow => ({
      variant,
      day: day(d),
      n,
      successes,
      revenue_sum: 0,
      revenue_sq: 0,
      x_sum: 0,
      x_sq: 0,
      xy_sum: 0,
    });
    // Day 1 has one treated recipient only (no look yet); then the treatment pulls ahead.
    const rows = [row('a', 1, 50, 5), row('b', 1, 1, 0), row('a', 2, 100, 10), row('b', 2, 150, 30), row('a', 3, 100, 9), row('b', 3, 100, 25)];
    const series = sequentialSeries(rows, 'click', 'a', 'b', 0.1, 0.05);
    assert.deepEqual(
      series.map((p) => p.day),
      [day(2), day(3)],
    );
    assert.ok(series[1]!.p_value <= series[0]!.p_value);
    assert.equal(series.at(-1)!.p_value, sequentialOf(rows, 'click', 'a', 'b', 0.1, 0.05).pValue);
    // Each point is the test over the looks up to its day, with the final mixing variance.
    const upToDay2 = rows.filter((r) => r.day <= day(2));
    const pooled = (5 + 10 + 9 + 0 + 30 + 25) / (250 + 251);
    const v2 = (() => {
      const pc = 15 / 150;
      const pt = 30 / 151;
      return (pc * (1 - pc)) / 150 + (pt * (1 - pt)) / 151;
    })();
    const tau2 = (0.1 * pooled) ** 2;
    const effect = 30 / 151 - 15 / 150;
    const byHand = Math.min(1, Math.exp(-(0.5 * Math.log(v2 / (v2 + tau2)) + (tau2 * effect ** 2) / (2 * v2 * (v2 + tau2)))));
    assert.ok(Math.abs(series[0]!.p_value - byHand) < 1e-12, `${series[0]!.p_value} vs ${byHand} over ${upToDay2.length} rows`);
  });
});

describe('issue 14: published references', () => {
  it("relative CI of a mean by the delta method: gbstats' TwoSidedTTest case", () => {
    // Control 0.41 (sd 3.9, n 3407), treatment 0.70 (sd 6.2, n 3461).
    const r = welchTest({ n: 3407, mean: 0.41, variance: 3.9 ** 2 }, { n: 3461, mean: 0.7, variance: 6.2 ** 2 });
    // Published, rounded to 5 decimals: [-0.03526, 1.44989], mean 0.70732.
    close(r.relCiLow, -0.03526, 5e-6, 'published low');
    close(r.relCiHigh, 1.44989, 5e-6, 'published high');
    close(r.upliftRel, 0.70732, 5e-6, 'published uplift');
    // Their formula at full precision (scipy), to 1e-6 relative.
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    assert.ok(rel(r.relCiLow, -0.03526008906611777) < 1e-6, `${r.relCiLow}`);
    assert.ok(rel(r.relCiHigh, 1.449894235407581) < 1e-6, `${r.relCiHigh}`);
    assert.ok(rel(r.df, 5841.742032093564) < 1e-12);
    // Deliberate difference: our p-value tests the absolute difference (scipy's Welch), not gbstats' relative t.
    assert.ok(rel(r.pValue, 0.02015840264358697) < 1e-6, `${r.pValue}`);
    // The old interval, absolute CI over the control mean, was [0.111, 1.304]: too narrow.
    assert.ok(r.relCiLow < 0 && r.relCiHigh > 1.44);
  });

  it("tiny p-values from the upper tails: NIST's AUTO83B Welch case is 1.571e-25, not 0", () => {
    const r = welchTest({ n: 79, mean: 30.48101, variance: 6.10771 ** 2 }, { n: 249, mean: 20.14458, variance: 6.4147 ** 2 });
    close(r.df, 136.87499, 1e-5, 'df (Boost)');
    close(r.t, -12.94627, 1e-5, 't (Boost)');
    assert.equal(r.pValue.toPrecision(4), '1.571e-25');
    assert.ok(Math.abs(r.pValue / 1.5709046154648375e-25 - 1) < 1e-6, `${r.pValue} vs scipy`);
    // 2Φ(−10) and χ² upper tails (scipy: norm.sf, chi2.sf).
    const z = compareProportions({ n: 1e6, successes: 100_000 }, { n: 1e6, successes: 106_000 });
    assert.ok(z.pValue > 0 && z.pValue < 1e-40, `z-test p ${z.pValue}`);
    const d = Math.sqrt(375_000); // χ² = 2d²/5000 = 150
    assert.ok(Math.abs(chiSquaredGoodnessOfFit([5000 + d, 5000 - d], [1, 1]).pValue / 1.7336432457178413e-34 - 1) < 1e-6);
    const big = chiSquaredGoodnessOfFit([1000, 1000, 1000], [1, 1, 1]);
    assert.equal(big.pValue, 1);
    // Holm and BH keep them, and the verdict's toPrecision prints them.
    assert.equal(adjustPValues([1.5709e-25, 0.5], 'holm')[0]!.toPrecision(2), '3.1e-25');
    assert.equal(adjustPValues([1.5709e-25, 0.5], 'bh')[0]!.toPrecision(2), '3.1e-25');
  });

  it('Benjamini–Hochberg (p.adjust(p, "BH")) on the example of Benjamini & Hochberg (1995)', () => {
    const p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0];
    const expected = [
      0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714285714286, 0.06385714285714286, 0.0645, 0.0765, 0.486, 0.5811818181818181, 0.714875,
      0.7532307692307693, 0.8132142857142857, 1.0,
    ];
    bhAdjust(p).forEach((x, i) => close(x, expected[i]!, 1e-12, `p[${i}]`));
    // Order does not matter, and BH is never stricter than Holm.
    const shuffled = [0.04, 0.01, 0.005, 0.03];
    bhAdjust(shuffled).forEach((x, i) => close(x, [0.04, 0.02, 0.02, 0.04][i]!, 1e-12));
    bhAdjust(shuffled).forEach((x, i) => assert.ok(x <= adjustPValues(shuffled, 'holm')[i]!));
  });

  // mpmath quadrature at 40 digits, split at the modes (stats-references.py).
  const exactBeta = [
    { c: [0, 500], t: [0, 500], prob: 0.5, loss: 0.0009950228994292025 },
    { c: [0, 500], t: [3, 500], prob: 0.9378744378744379, loss: 0.00012326255608361482 },
    { c: [120, 1000], t: [150, 1000], prob: 0.9750678368121442, loss: 0.00014417785511183274 },
    { c: [2, 20000], t: [9, 20000], prob: 0.980726987807209, loss: 1.304713077433427e-6 },
    { c: [480, 500], t: [470, 500], prob: 0.07499480636894787, loss: 0.020390837472782718 },
    { c: [30, 50], t: [2, 3], prob: 0.528076116755362, loss: 0.08498629253346235 },
  ];
  for (const k of exactBeta) {
    it(`P(T > C) and expected loss to 1e-7: C ${k.c.join('/')} vs T ${k.t.join('/')} (mpmath)`, () => {
      const c = posterior({ successes: k.c[0]!, n: k.c[1]! });
      const t = posterior({ successes: k.t[0]!, n: k.t[1]! });
      close(probabilityToBeatControl(c, t), k.prob, 1e-7, 'P(T > C)');
      close(expectedLoss(c, t), k.loss, 1e-7, 'loss');
      // Symmetry: P(C > T) = 1 − P(T > C).
      close(probabilityToBeatControl(t, c), 1 - k.prob, 1e-7, 'swapped');
    });
  }

  it('refuses Beta parameters that are not positive whole numbers', () => {
    assert.throws(() => probabilityToBeatControl({ alpha: 0, beta: 3 }, { alpha: 1, beta: 1 }), RangeError);
    assert.throws(() => probabilityToBeatControl({ alpha: 1.5, beta: 3 }, { alpha: 1, beta: 1 }), RangeError);
  });

  it('impossible sufficient statistics give "not enough information", never a clamped variance', () => {
    assert.equal(sumsProblem({ n: 100, sum: 50, sumSquares: 20 })?.includes('negative variance'), true, 'Σx² < (Σx)²/n');
    assert.match(sumsProblem({ n: 100, sum: -5, sumSquares: 30 })!, /negative/);
    assert.match(sumsProblem({ n: 1, sum: 5, sumSquares: 25 })!, /fewer than 2/);
    // Equal values: Σx² = (Σx)²/n up to rounding is fine.
    assert.equal(sumsProblem({ n: 3, sum: 0.3, sumSquares: 0.030000000000000002 }), null);
    assert.equal(sumsProblem({ n: 3, sum: 0.1 + 0.2 + 0.3, sumSquares: 0.01 + 0.04 + 0.09 }), null);
    assert.match(proportionProblem({ n: 10, successes: 11 })!, /impossible/);
    assert.match(proportionProblem({ n: 10, successes: -1 })!, /impossible/);
    assert.equal(proportionProblem({ n: 10, successes: 10 }), null);
    // A zero standard error is NaN (null in the answer), not p = 0.
    assert.ok(Number.isNaN(welchTest({ n: 5, mean: 1, variance: 0 }, { n: 5, mean: 2, variance: 0 }).pValue));
  });

  it('CUPED equals the treatment coefficient of y ~ 1 + treatment + x (least squares here and in numpy)', () => {
    const xc = [0, 12, 0, 5, 30, 0, 0, 8, 14, 0, 3, 0];
    const yc = [0, 15, 0, 4, 41, 2, 0, 10, 12, 0, 0, 1];
    const xt = [7, 0, 0, 22, 1, 0, 16, 0, 9, 0, 4];
    const yt = [12, 3, 0, 30, 0, 5, 25, 0, 14, 2, 6];
    const sums = (x: number[], y: number[]) => ({
      n: x.length,
      sum: y.reduce((a, b) => a + b, 0),
      sumSquares: y.reduce((a, b) => a + b * b, 0),
      xSum: x.reduce((a, b) => a + b, 0),
      xSquares: x.reduce((a, b) => a + b * b, 0),
      xySum: x.reduce((a, b, i) => a + b * y[i]!, 0),
    });
    const r = cupedCompare(sums(xc, yc), sums(xt, yt));
    // Independent: solve the 3×3 normal equations of y = b0 + b1·d + b2·x by Gaussian elimination.
    const rows = [...xc.map((x, i) => [1, 0, x, yc[i]!]), ...xt.map((x, i) => [1, 1, x, yt[i]!])];
    const m = [0, 1, 2].map((i) => [0, 1, 2, 3].map((j) => rows.reduce((s, r) => s + r[i]! * r[j]!, 0)));
    for (let i = 0; i < 3; i++)
      for (let k = i + 1; k < 3; k++) {
        const f = m[k]![i]! / m[i]![i]!;
        for (let j = i; j < 4; j++) m[k]![j]! -= f * m[i]![j]!;
      }
    const b = [0, 0, 0];
    for (let i = 2; i >= 0; i--) b[i] = (m[i]![3]! - [0, 1, 2].filter((j) => j > i).reduce((s, j) => s + m[i]![j]! * b[j]!, 0)) / m[i]![i]!;
    close(r.diff, b[1]!, 1e-9, 'adjusted difference = OLS treatment coefficient');
    close(r.theta, b[2]!, 1e-9, 'θ = OLS slope');
    // numpy/scipy: the treatment coefficient and Welch's test on y − θ(x − x̄) (stats-references.py).
    close(r.diff, 2.5716968353651106, 1e-9);
    close(r.pValue, 0.009355546183745901, 1e-9, 'p');
    close(r.ciLow, 0.7040539065780753, 1e-6, 'ci low');
    close(r.ciHigh, 4.439339764152129, 1e-6, 'ci high');
    assert.ok(r.varianceReduction > 0.9);
    // A useless covariate (all zero) leaves the unadjusted Welch test.
    const plain = cupedCompare(
      sums(
        xc.map(() => 0),
        yc,
      ),
      sums(
        xt.map(() => 0),
        yt,
      ),
    );
    const welch = welchTest(summarize(yc), summarize(yt));
    close(plain.theta, 0, 0);
    close(plain.pValue, welch.pValue, 1e-12);
    // Sums no data could produce are refused.
    assert.match(covariateProblem({ ...sums(xc, yc), xySum: 1e6 })!, /impossible/);
  });

  it('guardrails watch event types that exist in the event schema', () => {
    for (const t of GUARDRAIL_EVENTS) assert.ok((EVENT_TYPES as readonly string[]).includes(t), t);
    assert.ok(GUARDRAIL_EVENTS.includes('unsubscribe') && GUARDRAIL_EVENTS.includes('complaint'));
  });
});
