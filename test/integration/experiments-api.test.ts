import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_EXPERIMENT, generateContacts, generateEvents, type DemoOptions } from '../../demo/generator.ts';
import { seedDemo } from '../../demo/seed.ts';
import { assignVariant } from '../../experiments/allocation.ts';
import { compareProportions, summarize, welchTest } from '../../experiments/statistics.ts';
import { seededRandom } from '../../demo/random.ts';
import type { EventInput } from '../../ingest/event-schema.ts';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';

const demo: DemoOptions = { contacts: 20_000, weeks: 3, campaignsPerWeek: 2, seed: 42, endMs: Date.parse('2026-11-20T00:00:00Z'), batchSize: 5000 };

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
    const start = Date.parse('2026-11-10T02:00:00Z');
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
