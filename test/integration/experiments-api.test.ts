import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_EXPERIMENT, generateContacts, generateEvents, type DemoOptions } from '../../demo/generator.ts';
import { seedDemo } from '../../demo/seed.ts';
import { assignVariant } from '../../experiments/allocation.ts';
import { bhAdjust, compareProportions, holmAdjust, summarize, welchTest } from '../../experiments/statistics.ts';
import { seededRandom } from '../../demo/random.ts';
import type { EventInput } from '../../ingest/event-schema.ts';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const demo: DemoOptions = { contacts: 20_000, weeks: 3, campaignsPerWeek: 2, seed: 42, endMs: Date.parse(`${FIXTURE_YEAR}-11-20T00:00:00Z`), batchSize: 5000 };

/** Per variant: exposed recipients, and those with an event of `type` within 72 h of first exposure (plain TypeScript). */
function independentCounts(events: EventInput[], type: string) {
  const exposure = new Map<string, { variant: string; ts: number }>();
  for (const e of events) {
    if (e.type !== 'exposure' || e.experiment_id !== DEMO_EXPERIMENT.id) continue;
    const prev = exposure.get(e.user_id!);
    if (!prev || (e.ts as number) < prev.ts) exposure.set(e.user_id!, { variant: e.variant!, ts: e.ts as number });
  }
  const hit = new Set<string>();
  const revenue = new Map<string, number>();
  for (const e of events) {
    const x = exposure.get(e.user_id!);
    if (!x || e.type !== type || (e.ts as number) < x.ts || (e.ts as number) > x.ts + 72 * 3600_000) continue;
    hit.add(e.user_id!);
    revenue.set(e.user_id!, (revenue.get(e.user_id!) ?? 0) + (e.revenue ?? 0));
  }
  const out = new Map<string, { n: number; successes: number; revenues: number[] }>();
  for (const [user, { variant }] of exposure) {
    const v = out.get(variant) ?? { n: 0, successes: 0, revenues: [] };
    v.n++;
    if (hit.has(user)) v.successes++;
    v.revenues.push(revenue.get(user) ?? 0);
    out.set(variant, v);
  }
  return out;
}

describe('experiments API', () => {
  let t: TestApp;
  let marketer: string;
  before(async () => {
    t = await startTestApp('experiments_api');
    marketer = await t.keyFor('marketer', 'ab');
  });
  after(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, payload?: object, key = marketer) =>
    t.app.inject({ method, url, headers: bearer(key), ...(payload && { payload }) });

  it('validates definitions, naming the field', async () => {
    const bad = async (payload: object, field: string) => {
      const res = await call('POST', '/v1/experiments', payload);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().field, field);
    };
    await bad({ name: 'x', variants: [{ key: 'a', weight: 1 }] }, 'body.variants');
    await bad(
      {
        name: 'x',
        variants: [
          { key: 'a', weight: 1 },
          { key: 'a', weight: 2 },
        ],
      },
      'body.variants',
    );
    await bad(
      {
        name: 'x',
        variants: [
          { key: 'a', weight: 1 },
          { key: 'b', weight: 0 },
        ],
      },
      'body.variants.1.weight',
    );
    await bad(
      {
        name: 'x',
        variants: [
          { key: 'a', weight: 1 },
          { key: 'b', weight: 1 },
        ],
        holdout: 1,
      },
      'body.holdout',
    );
    await bad(
      {
        name: 'x',
        variants: [
          { key: 'a', weight: 1 },
          { key: 'b', weight: 1 },
        ],
        metrics: ['opens'],
      },
      'body.metrics.0',
    );
  });

  it('runs a lifecycle, assigns deterministically, and hides other workspaces', async () => {
    const created = await call('POST', '/v1/experiments', {
      id: 'exp_copy',
      name: 'Copy test',
      variants: [
        { key: 'plain', weight: 1 },
        { key: 'emoji', weight: 1 },
      ],
      holdout: 0.1,
    });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().spec.salt, 'exp_copy');
    assert.equal((await call('POST', '/v1/experiments/exp_copy/start')).json().spec.status, 'running');
    assert.equal((await call('POST', '/v1/experiments/exp_copy/start')).statusCode, 400, 'already running');
    const again = await call('POST', '/v1/experiments', {
      id: 'exp_copy',
      name: 'Changed',
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 1 },
      ],
    });
    assert.equal(again.statusCode, 400, 'a running experiment keeps its allocation');
    const plan = {
      salt: 'exp_copy',
      holdout: 0.1,
      variants: [
        { key: 'plain', weight: 1 },
        { key: 'emoji', weight: 1 },
      ],
    };
    for (const user of ['u1', 'u2', '用户3', '13812345678']) {
      const res = await call('GET', `/v1/experiments/exp_copy/assignment?user_id=${encodeURIComponent(user)}`, undefined, await t.keyFor('sender', 'ab'));
      assert.deepEqual(res.json(), { experiment_id: 'exp_copy', user_id: user, variant: assignVariant(plan, user) });
    }
    const other = await t.keyFor('marketer', 'other_ws');
    assert.equal((await call('GET', '/v1/experiments/exp_copy', undefined, other)).statusCode, 404);
    assert.equal((await call('GET', '/v1/experiments/exp_copy/assignment?user_id=u1', undefined, other)).statusCode, 404);
    assert.equal((await call('POST', '/v1/experiments/exp_copy/stop')).json().spec.status, 'stopped');
    assert.equal((await call('GET', '/v1/experiments')).json().experiments.length, 1);
  });

  it('detects the demo A/B test with a planted uplift; counts match an independent computation', async () => {
    await seedDemo(t.wh, 'ab', demo);
    const events = [...generateEvents(demo, generateContacts(demo))].flat();
    const analyst = await t.keyFor('analyst', 'ab');
    const res = await call('GET', `/v1/experiments/${DEMO_EXPERIMENT.id}/results?metric=click`, undefined, analyst);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    const expected = independentCounts(events, 'click');
    for (const v of body.variants) assert.deepEqual([v.n, v.successes], [expected.get(v.key)!.n, expected.get(v.key)!.successes], v.key);
    const [control, question] = body.variants;
    const cmp = compareProportions(expected.get('control')!, expected.get('question')!);
    assert.ok(Math.abs(question.p_value - cmp.pValue) < 1e-12);
    assert.ok(question.uplift_rel > 0.05, `uplift ${question.uplift_rel}`);
    assert.ok(question.p_value_adjusted < 0.05, `p ${question.p_value_adjusted}`);
    assert.ok(question.prob_to_beat_control > 0.95);
    assert.ok(question.expected_loss < control.rate * 0.01);
    assert.equal(body.srm_detected, false);
    assert.match(body.verdict, /^question (beats|looks better)/);

    const revenue = (await call('GET', `/v1/experiments/${DEMO_EXPERIMENT.id}/results?metric=revenue`, undefined, analyst)).json();
    const welch = welchTest(
      summarize(independentCounts(events, 'conversion').get('control')!.revenues),
      summarize(independentCounts(events, 'conversion').get('question')!.revenues),
    );
    assert.ok(Math.abs(revenue.variants[1].p_value - welch.pValue) < 1e-9, `${revenue.variants[1].p_value} vs ${welch.pValue}`);
    assert.ok(Math.abs(revenue.variants[1].ci_low - welch.ciLow) < 1e-6);
  });

  it('does not call an A/A split significant, and flags a sample ratio mismatch', async () => {
    const rnd = seededRandom(7);
    const sender = await t.keyFor('sender', 'ab');
    await call('POST', '/v1/experiments', {
      id: 'exp_aa',
      name: 'A/A',
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 1 },
      ],
      metrics: ['click'],
    });
    await call('POST', '/v1/experiments', {
      id: 'exp_srm',
      name: 'SRM',
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 1 },
      ],
      metrics: ['click'],
    });
    const plan = {
      salt: 'exp_aa',
      holdout: 0,
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 1 },
      ],
    };
    const start = Date.parse(`${FIXTURE_YEAR}-11-10T02:00:00Z`);
    const events: object[] = [];
    for (let i = 0; i < 10_000; i++) {
      const user = `aa${i}`;
      const ts = start + (i % 7) * 86_400_000;
      events.push({ event_id: `aa_exp_${i}`, type: 'exposure', ts, user_id: user, experiment_id: 'exp_aa', variant: assignVariant(plan, user) });
      // SRM: 60 % of exposures logged for a, 40 % for b.
      events.push({ event_id: `srm_exp_${i}`, type: 'exposure', ts, user_id: user, experiment_id: 'exp_srm', variant: i % 5 < 3 ? 'a' : 'b' });
      if (rnd.chance(0.12)) events.push({ event_id: `aa_click_${i}`, type: 'click', ts: ts + 3_600_000, user_id: user });
    }
    await postEvents(t, sender, events);
    const aa = (await call('GET', '/v1/experiments/exp_aa/results')).json();
    assert.ok(aa.variants[1].p_value > 0.05, `A/A p ${aa.variants[1].p_value}`);
    assert.ok(aa.variants[1].sequential_p_value > 0.05);
    assert.equal(aa.srm_detected, false);
    assert.match(aa.verdict, /No significant difference/);
    const srm = (await call('GET', '/v1/experiments/exp_srm/results')).json();
    assert.equal(srm.srm_detected, true);
    assert.ok(srm.srm_p_value < 1e-10);
    assert.match(srm.verdict, /Sample ratio mismatch/);
  });

  it('allocates an audience by the same hash as the assignment endpoint, records exposures once, and exports each variant', async () => {
    const admin = await t.keyFor('admin', 'ab_alloc');
    const sender = await t.keyFor('sender', 'ab_alloc');
    const contacts = Array.from({ length: 3000 }, (_, i) => ({ user_id: `al${i}`, phone: `13${String(600_000_000 + i)}` }));
    await call('POST', '/v1/contacts', contacts as unknown as object, admin);
    const seg = (await call('POST', '/v1/segments', { name: 'all', rule: { attr: 'phone', op: 'exists' } }, admin)).json();
    const materialized = (await call('POST', `/v1/segments/${seg.id}/materialize`, {}, admin)).json();
    assert.equal(materialized.size, 3000);
    const variants = [
      { key: 'control', weight: 1 },
      { key: 'b', weight: 1 },
      { key: 'c', weight: 2 },
    ];
    await call('POST', '/v1/experiments', { id: 'exp_alloc', name: 'Allocation', variants, holdout: 0.1, salt: 'alloc-salt' }, admin);
    assert.equal((await call('POST', '/v1/experiments/exp_alloc/allocate', { audience_id: seg.id }, admin)).statusCode, 400, 'a draft is not allocated');
    await call('POST', '/v1/experiments/exp_alloc/start', undefined, admin);
    const res = await call('POST', '/v1/experiments/exp_alloc/allocate', { audience_id: seg.id }, admin);
    assert.equal(res.statusCode, 200, res.body);
    const expected: Record<string, string[]> = { control: [], b: [], c: [], holdout: [] };
    for (const c of contacts) expected[assignVariant({ salt: 'alloc-salt', holdout: 0.1, variants }, c.user_id)]!.push(c.user_id);
    const body = res.json();
    assert.deepEqual(body.counts, Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, v.length])));
    assert.equal(body.exposures, 3000 - expected.holdout!.length);
    for (const key of ['control', 'b', 'c']) {
      const page = await call('GET', `/v1/audiences/exp_alloc.${key}/export?fields=user_id&limit=100000`, undefined, sender);
      assert.deepEqual(
        page.body
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).user_id)
          .sort(),
        expected[key]!.sort(),
        key,
      );
    }
    await call('POST', '/v1/experiments/exp_alloc/allocate', { audience_id: seg.id }, admin);
    const [exposures] = await t.wh.query<{ n: string }>(
      "SELECT count() AS n FROM events WHERE workspace_id = 'ab_alloc' AND type = 'exposure' AND experiment_id = 'exp_alloc'",
    );
    assert.equal(Number(exposures!.n), 3000 - expected.holdout!.length, 'allocating again records nobody twice');
    const results = (await call('GET', '/v1/experiments/exp_alloc/results?metric=click', undefined, admin)).json();
    assert.deepEqual(
      results.variants.map((v: { n: number }) => v.n),
      [expected.control!.length, expected.b!.length, expected.c!.length],
    );
    assert.equal(results.srm_detected, false);
    assert.equal((await call('POST', '/v1/experiments/exp_alloc/allocate', { audience_id: 'nope' }, admin)).statusCode, 404);

    // Concurrent allocations each get their own version of every variant audience, holding exactly that variant.
    const concurrent = await Promise.all([1, 2, 3].map(() => call('POST', '/v1/experiments/exp_alloc/allocate', { audience_id: seg.id }, admin)));
    const versions = concurrent.map((r) => r.json().variant_audiences.b.version).sort();
    assert.equal(new Set(versions).size, 3, `distinct versions: ${versions}`);
    for (const version of versions) {
      const page = await call('GET', `/v1/audiences/exp_alloc.b/export?fields=user_id&limit=100000&version=${version}`, undefined, sender);
      assert.deepEqual(
        page.body
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).user_id)
          .sort(),
        expected.b!.sort(),
        `version ${version}`,
      );
    }
  });

  it('reports CUPED, guardrail harm and the chosen correction through a real listener', async () => {
    const admin = await t.keyFor('admin', 'ab_guard');
    const sender = await t.keyFor('sender', 'ab_guard');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const http = async (method: string, path: string, body?: object) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...bearer(admin), ...(body && { 'content-type': 'application/json' }) },
        ...(body && { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as ReturnType<typeof JSON.parse> };
    };
    const variants = ['a', 'b', 'c'].map((key) => ({ key, weight: 1 }));
    const bad = await http('POST', '/v1/experiments', { name: 'x', variants, guardrails: ['exposure'] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'body.guardrails.0');
    assert.equal((await http('POST', '/v1/experiments', { name: 'x', variants, correction: 'bonferroni' })).body.field, 'body.correction');
    const created = await http('POST', '/v1/experiments', {
      id: 'exp_guard',
      name: 'Guardrails',
      variants,
      metrics: ['click'],
      guardrails: ['unsubscribe'],
      correction: 'bh',
    });
    assert.equal(created.status, 201);
    assert.deepEqual([created.body.spec.guardrails, created.body.spec.correction, created.body.spec.cuped_days], [['unsubscribe'], 'bh', 14]);

    // Clickers (30 %) clicked 3 days before exposure too: the pre-period covariate CUPED uses. c unsubscribes 4× as often.
    const rnd = seededRandom(14);
    const day = 86_400_000;
    const start = Math.floor(Date.now() / day) * day - 20 * day + 2 * 3_600_000;
    const events: object[] = [];
    const units: { variant: string; x: number; y: number; unsub: number }[] = [];
    for (let i = 0; i < 3000; i++) {
      const user = `g${i}`;
      const variant = ['a', 'b', 'c'][i % 3]!;
      const ts = start + (i % 5) * day;
      const clicker = rnd.chance(0.3);
      const y = rnd.chance((clicker ? 0.5 : 0.05) + (variant === 'b' ? 0.05 : 0)) ? 1 : 0;
      const unsub = rnd.chance(variant === 'c' ? 0.08 : 0.02) ? 1 : 0;
      events.push({ event_id: `g_exp_${i}`, type: 'exposure', ts, user_id: user, experiment_id: 'exp_guard', variant });
      if (clicker) events.push({ event_id: `g_pre_${i}`, type: 'click', ts: ts - 3 * day, user_id: user });
      if (y) events.push({ event_id: `g_click_${i}`, type: 'click', ts: ts + 3_600_000, user_id: user });
      if (unsub) events.push({ event_id: `g_unsub_${i}`, type: 'unsubscribe', ts: ts + 7_200_000, user_id: user });
      units.push({ variant, x: clicker ? 1 : 0, y, unsub });
    }
    await postEvents(t, sender, events);
    const res = await http('GET', '/v1/experiments/exp_guard/results?metric=click');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = res.body;
    assert.equal(body.correction, 'bh');
    const [, b, c] = body.variants;
    bhAdjust([b.p_value, c.p_value]).forEach((p, i) => assert.ok(Math.abs(p - [b, c][i].p_value_adjusted) < 1e-15));

    // CUPED, independently: θ = pooled within-arm slope of y on x over a and b; effect = Δȳ − θ Δx̄.
    const arm = (v: string) => units.filter((u) => u.variant === v);
    const meanOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const centred = (us: typeof units, f: (u: (typeof units)[number]) => number, g: (u: (typeof units)[number]) => number) => {
      const mf = meanOf(us.map(f));
      const mg = meanOf(us.map(g));
      return us.reduce((s, u) => s + (f(u) - mf) * (g(u) - mg), 0);
    };
    const [ua, ub] = [arm('a'), arm('b')];
    const theta =
      (centred(
        ua,
        (u) => u.x,
        (u) => u.y,
      ) +
        centred(
          ub,
          (u) => u.x,
          (u) => u.y,
        )) /
      (centred(
        ua,
        (u) => u.x,
        (u) => u.x,
      ) +
        centred(
          ub,
          (u) => u.x,
          (u) => u.x,
        ));
    const effect = meanOf(ub.map((u) => u.y)) - meanOf(ua.map((u) => u.y)) - theta * (meanOf(ub.map((u) => u.x)) - meanOf(ua.map((u) => u.x)));
    assert.ok(Math.abs(b.cuped.theta - theta) < 1e-9, `θ ${b.cuped.theta} vs ${theta}`);
    assert.ok(Math.abs(b.cuped.uplift_abs - effect) < 1e-9, `${b.cuped.uplift_abs} vs ${effect}`);
    assert.ok(b.cuped.variance_reduction > 0.2, `variance reduction ${b.cuped.variance_reduction}`);
    assert.ok(b.cuped.ci_high - b.cuped.ci_low < b.ci_high - b.ci_low, 'the adjusted CI is narrower');
    assert.equal(b.not_enough_information, null);

    // Guardrail: counts match the generated data; c's higher unsubscribe rate is harm, named in the verdict.
    const [guard] = body.guardrails;
    assert.equal(guard.event_type, 'unsubscribe');
    for (const v of guard.variants) assert.equal(v.successes, arm(v.key).filter((u) => u.unsub).length, v.key);
    const expectedC = compareProportions(
      { n: ua.length, successes: ua.filter((u) => u.unsub).length },
      { n: arm('c').length, successes: arm('c').filter((u) => u.unsub).length },
    );
    assert.ok(Math.abs(guard.variants[2].p_value - expectedC.pValue) < 1e-12);
    assert.deepEqual(
      guard.variants.map((v: { harm_detected: boolean }) => v.harm_detected),
      [false, false, true],
    );
    assert.equal(guard.harm_detected, true);
    assert.match(body.verdict, /Guardrail harm: c raises the unsubscribe rate/);

    const holm = (await http('GET', '/v1/experiments/exp_guard/results?metric=click&correction=holm')).body;
    assert.equal(holm.correction, 'holm');
    holmAdjust([b.p_value, c.p_value]).forEach((p, i) => assert.ok(Math.abs(p - holm.variants[i + 1].p_value_adjusted) < 1e-15));
    assert.equal((await http('GET', '/v1/experiments/exp_guard/results?correction=fdr')).status, 400);
  });

  it('plans recipients per arm and days (power.prop.test: 3840.85 per arm for 10 % → 12 %)', async () => {
    const res = await call('POST', '/v1/experiments/plan', { baseline_rate: 0.1, mde_rel: 0.2, daily_volume: 2000 });
    const { treated_rate, ...plan } = res.json();
    assert.deepEqual(plan, { recipients_per_arm: 3841, recipients_total: 7682, arms: 2, alpha_per_comparison: 0.05, power: 0.8, days: 4 });
    assert.ok(Math.abs(treated_rate - 0.12) < 1e-12);
    const three = (await call('POST', '/v1/experiments/plan', { baseline_rate: 0.1, mde_rel: 0.2, variants: 3 })).json();
    assert.equal(three.alpha_per_comparison, 0.025);
    assert.ok(three.recipients_per_arm > 3841);
    assert.equal((await call('POST', '/v1/experiments/plan', { baseline_rate: 0.9, mde_rel: 0.2 })).json().field, 'body.mde_rel');
  });
});
