import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededRandom } from '../../demo/random.ts';
import { computeRfm } from '../../segmentation/rfm.ts';
import { previewRule } from '../../segmentation/segments.ts';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';
import { yesterdayNoonUtc } from '../helpers/fixture-time.ts';

const DAY = 86_400_000;
const WS = 'rfm';
// The R × FM grid as the README states it (rows R = 1..5, columns FM = 1..5).
const GRID = [
  ['lost', 'hibernating', 'at_risk', 'at_risk', 'cannot_lose'],
  ['hibernating', 'hibernating', 'at_risk', 'at_risk', 'cannot_lose'],
  ['about_to_sleep', 'about_to_sleep', 'need_attention', 'loyal', 'loyal'],
  ['promising', 'potential_loyalists', 'potential_loyalists', 'loyal', 'loyal'],
  ['new', 'potential_loyalists', 'potential_loyalists', 'champions', 'champions'],
];

describe('RFM', () => {
  let t: TestApp;
  // Relative to today: the scores table keeps rows 90 days after they were computed.
  const now = yesterdayNoonUtc();
  const purchases = new Map<string, { ts: number; revenue: number }[]>();

  before(async () => {
    t = await startTestApp('rfm');
    const rnd = seededRandom(5);
    const events: object[] = [];
    const contacts: object[] = [];
    for (let i = 0; i < 300; i++) {
      const user = `r${i}`;
      contacts.push({ user_id: user, phone: `13${String(500_000_000 + i)}` });
      const n = rnd.weighted([
        [0, 10],
        [1, 35],
        [2, 25],
        [3, 15],
        [5, 10],
        [9, 5],
      ] as const);
      const list: { ts: number; revenue: number }[] = [];
      for (let k = 0; k < n; k++) {
        // Whole-day recencies make ties common, which is what the tie rule is for.
        const ts = now - rnd.int(0, 120) * DAY;
        const revenue = rnd.pick([9.9, 19.9, 49, 99, 199, 499]);
        list.push({ ts, revenue });
        events.push({ event_id: `${user}_c${k}`, type: 'conversion', ts, user_id: user, revenue });
      }
      // A purchase outside the 90-day window does not count.
      events.push({ event_id: `${user}_old`, type: 'conversion', ts: now - 200 * DAY, user_id: user, revenue: 1000 });
      purchases.set(
        user,
        list.filter((p) => p.ts > now - 90 * DAY),
      );
    }
    const admin = await t.keyFor('admin', WS);
    await t.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(admin), payload: contacts });
    await postEvents(t, await t.keyFor('sender', WS), events);
  });
  after(() => t.close());

  /** The RFM run both tests read, made once by whichever test needs it first (each test also runs alone). */
  let run: ReturnType<typeof computeRfm> | undefined;
  const scored = () => (run ??= computeRfm(t.wh, WS, { windowDays: 90, event: 'conversion', nowMs: now }));

  /** Scores and segments in plain TypeScript, from the purchases as generated. */
  function expected() {
    const users = [...purchases]
      .filter(([, p]) => p.length > 0)
      .map(([user, p]) => ({
        user,
        recency: (now - Math.max(...p.map((x) => x.ts))) / DAY,
        frequency: p.length,
        monetary: Math.round(p.reduce((s, x) => s + x.revenue, 0) * 1e4) / 1e4,
      }));
    const n = users.length;
    const score = (worse: number) => 1 + Math.floor((5 * worse) / n);
    return new Map(
      users.map((u) => {
        const r = score(users.filter((o) => o.recency > u.recency).length);
        const f = score(users.filter((o) => o.frequency < u.frequency).length);
        const m = score(users.filter((o) => o.monetary < u.monetary).length);
        const fm = Math.floor((f + m + 1) / 2);
        return [u.user, { r, f, m, segment: GRID[r - 1]![fm - 1]! }];
      }),
    );
  }

  it('scores 1-5 by quintile with ties sharing a score, and names segments as the documented grid', async () => {
    const summary = await scored();
    const want = expected();
    const rows = await t.wh.query<{ user_id: string; r: number; f: number; m: number; segment: string }>(
      'SELECT user_id, r, f, m, segment FROM rfm_scores WHERE workspace_id = {ws:String} AND run_id = {run:String}',
      { ws: WS, run: summary.run_id },
    );
    assert.equal(rows.length, want.size);
    for (const row of rows) assert.deepEqual({ r: row.r, f: row.f, m: row.m, segment: row.segment }, want.get(row.user_id), row.user_id);
    const sizes: Record<string, number> = {};
    for (const v of want.values()) sizes[v.segment] = (sizes[v.segment] ?? 0) + 1;
    assert.deepEqual(summary.segments, sizes);
    assert.ok(Object.keys(sizes).length >= 6, `segments present: ${Object.keys(sizes).join(', ')}`);
  });

  it('rfm rules select by segment and by score', async () => {
    await scored();
    const want = expected();
    const pick = async (rule: object) =>
      (await previewRule(t.wh, WS, rule, { nowMs: now, timezone: 'Asia/Shanghai', sample: 1000 })).sample.map((r) => r.user_id).sort();
    const users = (f: (v: { r: number; f: number; m: number; segment: string }) => boolean) =>
      [...want]
        .filter(([, v]) => f(v))
        .map(([u]) => u)
        .sort();
    assert.deepEqual(
      await pick({ rfm: { segment: 'champions' } }),
      users((v) => v.segment === 'champions'),
    );
    assert.deepEqual(
      await pick({ rfm: { r: { op: 'gte', value: 4 }, m: { op: 'between', value: [2, 3] } } }),
      users((v) => v.r >= 4 && v.m >= 2 && v.m <= 3),
    );
    assert.deepEqual(
      await pick({ not: { rfm: { f: { op: 'in', value: [1, 2] } } } }),
      [...purchases.keys()].filter((u) => !want.has(u) || ![1, 2].includes(want.get(u)!.f)).sort(),
    );
    const res = await t.app.inject({ method: 'GET', url: '/v1/rfm', headers: bearer(await t.keyFor('analyst', WS)) });
    assert.equal(res.json().window_days, 90);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/rfm', headers: bearer(await t.keyFor('analyst', 'rfm_empty')) })).statusCode, 404);
  });
});
