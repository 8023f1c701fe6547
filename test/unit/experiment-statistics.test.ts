/**
 * Experiment statistics against reference values from R 4.2.2 (stats package), produced by
 * test/fixtures/reference-values.R: prop.test(correct = FALSE) for the pooled z-test p-value and the
 * Wald CI, t.test for Welch, chisq.test for SRM, p.adjust("holm"), power.prop.test, and integrate()
 * over dbeta/pbeta for the Bayesian figures. Tolerance 1e-6 unless said otherwise.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chiSquaredGoodnessOfFit,
  compareProportions,
  expectedLoss,
  holmAdjust,
  mixtureSequentialTest,
  phi,
  phiInverse,
  posterior,
  probabilityToBeatControl,
  sampleSizePerArm,
  summarize,
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

  it('sequential test: 2,000 A/A experiments read daily for 14 days keep false positives at α; the naive daily z-test does not', () => {
    const rnd = seededRandom(20261123);
    const experiments = 2000;
    const days = 14;
    const perDay = 400;
    const rate = 0.1;
    let sequentialRejections = 0;
    let naiveRejections = 0;
    const binomial = (n: number, p: number) => {
      let k = 0;
      for (let i = 0; i < n; i++) if (rnd.next() < p) k++;
      return k;
    };
    for (let e = 0; e < experiments; e++) {
      const c = { n: 0, successes: 0 };
      const t = { n: 0, successes: 0 };
      const looks: { effect: number; variance: number }[] = [];
      let naive = false;
      for (let d = 0; d < days; d++) {
        c.n += perDay;
        t.n += perDay;
        c.successes += binomial(perDay, rate);
        t.successes += binomial(perDay, rate);
        const pc = c.successes / c.n;
        const pt = t.successes / t.n;
        looks.push({ effect: pt - pc, variance: (pc * (1 - pc)) / c.n + (pt * (1 - pt)) / t.n });
        if (compareProportions(c, t).pValue < 0.05) naive = true;
      }
      const pooled = (c.successes + t.successes) / (c.n + t.n);
      if (mixtureSequentialTest(looks, (0.1 * pooled) ** 2).pValue < 0.05) sequentialRejections++;
      if (naive) naiveRejections++;
    }
    const sequentialRate = sequentialRejections / experiments;
    const naiveRate = naiveRejections / experiments;
    console.log(`A/A false-positive rates: sequential ${sequentialRate}, naive daily z-test ${naiveRate}`);
    assert.ok(sequentialRate <= 0.06, `sequential false-positive rate ${sequentialRate}`);
    assert.ok(naiveRate > 0.1, `peeking at a fixed-horizon test daily inflates false positives: ${naiveRate}`);
  });
});
