import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runFunnel } from '../../analytics/funnels.ts';
import { seededRandom } from '../../demo/random.ts';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const WS = 'an';
const HOUR = 3600_000;
const FROM = Date.parse(`${FIXTURE_YEAR}-11-10T00:00:00Z`);
const TO = Date.parse(`${FIXTURE_YEAR}-11-17T00:00:00Z`);

interface Ev {
  event_id: string;
  type: string;
  ts: number;
  user_id: string;
  message_id: string;
  campaign_id: string;
  carrier: string;
  status?: string;
  revenue?: number;
}

/** Plain TypeScript funnel with the documented semantics (PostHog's, as its funnel UDF states them). */
function funnel(
  events: Ev[],
  steps: string[],
  unit: 'user' | 'message',
  windowH: number,
  keep: (e: Ev) => boolean = () => true,
  inMedianSample: (unit: string) => boolean = () => true,
) {
  const windowMs = windowH * HOUR;
  const matches = (e: Ev, step: string) => e.type === step && (step !== 'delivery' || e.status === 'delivered') && (step !== 'send' || e.status === 'accepted');
  const byUnit = new Map<string, Ev[]>();
  for (const e of events) {
    if (!keep(e) || e.ts < FROM || e.ts >= TO + windowMs) continue;
    const key = unit === 'user' ? e.user_id : e.message_id;
    byUnit.set(key, [...(byUnit.get(key) ?? []), e]);
  }
  const counts = new Array<number>(steps.length).fill(0);
  const gaps: number[][] = steps.map(() => []);
  for (const [key, evs] of byUnit) {
    // PostHog's chain (funnel-udf steps.rs), the steps here being distinct types: by time (a tie in step order),
    // a step-1 event in range starts a chain; a step-k event extends the chain standing at step k-1 when within
    // the window of its start and that start has not reached step k yet. Counted: the furthest chain, whose
    // event times give the gaps.
    const stepOf = (e: Ev) => steps.findIndex((st) => matches(e, st));
    const sorted = evs.filter((e) => stepOf(e) >= 0).sort((a, b) => a.ts - b.ts || stepOf(a) - stepOf(b));
    const start = new Array<number>(steps.length).fill(0);
    const times: number[][] = steps.map(() => []);
    let best: number[] = [];
    for (const e of sorted) {
      const k = stepOf(e);
      const prevStart = k === 0 ? (e.ts < TO ? e.ts : 0) : start[k - 1]!;
      if (!prevStart || e.ts - prevStart > windowMs || start[k] === prevStart) continue;
      start[k] = prevStart;
      times[k] = [...(k ? times[k - 1]! : []), e.ts];
      if (k + 1 > best.length) best = times[k]!;
    }
    const level = best.length;
    for (let i = 0; i < level; i++) counts[i]!++;
    if (!inMedianSample(key)) continue;
    for (let i = 1; i < level; i++) gaps[i]!.push((best[i]! - best[i - 1]!) / 1000);
  }
  // The median interpolates: the mean of the two middle values of an even count.
  const median = (xs: number[]) => {
    if (!xs.length) return null;
    const s = [...xs].sort((a, b) => a - b);
    const m = (s.length - 1) / 2;
    return s[Math.floor(m)]! + (s[Math.ceil(m)]! - s[Math.floor(m)]!) / 2;
  };
  return steps.map((type, i) => ({ type, count: counts[i]!, median_seconds_from_previous: i === 0 ? null : median(gaps[i]!) }));
}

describe('analytics: funnels and metrics', () => {
  let t: TestApp;
  let analyst: string;
  const events: Ev[] = [];

  before(async () => {
    t = await startTestApp('analytics');
    analyst = await t.keyFor('analyst', WS);
    const rnd = seededRandom(1234);
    let n = 0;
    const add = (e: Omit<Ev, 'event_id'>) => events.push({ ...e, event_id: `a${n++}` });
    for (let u = 0; u < 400; u++) {
      const user = `au${u}`;
      const carrier = rnd.pick(['China Mobile', 'China Unicom', 'China Telecom']);
      for (let m = 0; m < rnd.int(1, 3); m++) {
        const message = `${user}_m${m}`;
        const campaign = rnd.pick(['c1', 'c2']);
        // Odd seconds keep every timestamp distinct.
        const send = FROM - 12 * HOUR + rnd.int(0, 8 * 24) * HOUR + rnd.int(0, 3599) * 1000 + 1;
        const common = { user_id: user, message_id: message, campaign_id: campaign, carrier };
        const accepted = rnd.chance(0.95);
        add({ ...common, type: 'send', ts: send, status: accepted ? 'accepted' : 'rejected' });
        if (!accepted) continue;
        const delivered = rnd.chance(carrier === 'China Telecom' ? 0.8 : 0.95);
        const dts = send + rnd.int(1, 600) * 1000 + 3;
        add({ ...common, type: 'delivery', ts: dts, status: delivered ? 'delivered' : 'failed' });
        if (!delivered) continue;
        if (rnd.chance(0.3)) {
          const cts = dts + rnd.int(1, 30 * 3600) * 1000 + 5;
          add({ ...common, type: 'click', ts: cts });
          if (rnd.chance(0.3)) add({ ...common, type: 'conversion', ts: cts + rnd.int(1, 40 * 3600) * 1000 + 7, revenue: rnd.int(10, 300) });
        }
      }
      // Some clicks with no send of their own message (a forwarded link): they only matter for the user unit.
      if (rnd.chance(0.05))
        add({ user_id: user, message_id: `${user}_fwd`, campaign_id: 'c1', carrier, type: 'click', ts: FROM + rnd.int(0, 6 * 24) * HOUR + 9 });
    }
    await postEvents(
      t,
      await t.keyFor('sender', WS),
      events.map(({ revenue, status, ...e }) => ({ ...e, ...(status && { status }), ...(revenue !== undefined && { revenue }) })),
    );
  });
  after(() => t.close());

  const post = async (body: object) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/funnels',
      headers: bearer(analyst),
      payload: { from: new Date(FROM).toISOString(), to: new Date(TO).toISOString(), ...body },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const strip = (steps: { type: string; count: number; median_seconds_from_previous: number | null }[]) =>
    steps.map(({ type, count, median_seconds_from_previous }) => ({ type, count, median_seconds_from_previous }));
  const STEPS = ['send', 'delivery', 'click', 'conversion'];

  for (const [unit, hours] of [
    ['user', 24],
    ['message', 48],
  ] as const) {
    it(`funnel by ${unit}, ${hours} h window, equals the plain recomputation`, async () => {
      const res = await post({ steps: STEPS, window_hours: hours, unit });
      const want = funnel(events, STEPS, unit, hours);
      assert.deepEqual(strip(res.steps), want);
      assert.ok(want[2]!.count > 10 && want[3]!.count > 0, 'the data reaches every step');
      assert.equal(res.steps[1].conversion_from_previous, want[1]!.count / want[0]!.count);
      assert.equal(res.steps[3].conversion_from_first, want[3]!.count / want[0]!.count);
    });
  }

  it('funnel with a breakdown by carrier and a campaign filter', async () => {
    const res = await post({
      steps: STEPS,
      window_hours: 72,
      unit: 'message',
      breakdown: 'carrier',
      filters: [{ prop: 'campaign_id', op: 'eq', value: 'c2' }],
    });
    for (const b of res.breakdowns)
      assert.deepEqual(
        strip(b.steps),
        funnel(events, STEPS, 'message', 72, (e) => e.carrier === b.value && e.campaign_id === 'c2'),
        b.value,
      );
    assert.deepEqual(
      res.breakdowns.map((b: { value: string }) => b.value),
      ['China Mobile', 'China Telecom', 'China Unicom'],
    );
    assert.deepEqual(
      strip(res.steps),
      funnel(events, STEPS, 'message', 72, (e) => e.campaign_id === 'c2'),
    );
    const stepFilter = await post({ steps: ['send', { type: 'click', where: [{ prop: 'campaign_id', op: 'eq', value: 'c1' }] }], window_hours: 72 });
    assert.equal(stepFilter.steps[1].count, funnel(events, ['send', 'click'], 'user', 72, (e) => e.type !== 'click' || e.campaign_id === 'c1')[1]!.count);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/funnels',
      headers: bearer(analyst),
      payload: {
        steps: ['send', { type: 'click', where: [{ prop: 'x', op: 'near' }] }],
        window_hours: 1,
        from: `${FIXTURE_YEAR}-11-10T00:00:00Z`,
        to: `${FIXTURE_YEAR}-11-11T00:00:00Z`,
      },
    });
    assert.equal(bad.json().field, 'body.steps[1].where[0].op');
  });

  it('medians over a sample when many units converted: the sample is the units under the hash cut, each gap exact', async () => {
    const sampling = { units: 40, unitsPerGroup: 25 };
    const req = {
      steps: STEPS.map((type) => ({ type })),
      windowMs: 72 * 3600_000,
      fromMs: FROM,
      toMs: TO,
      unit: 'user' as const,
      breakdown: 'carrier' as const,
      attribution: 'step' as const,
      filters: [],
    };
    const res = await runFunnel(t.wh, WS, req, sampling);
    // The sample is recomputed here from the documented rule, with only the hash function borrowed from the engine.
    const users = [...new Set(events.map((e) => e.user_id))];
    const [row] = await t.wh.query<{ hashes: string[] }>('SELECT arrayMap(u -> toString(cityHash64(u) % 1048576), {users:Array(String)}) AS hashes', { users });
    const hashOf = new Map(users.map((u, i) => [u, Number(row!.hashes[i])]));
    const cut = (units: number, wanted: number) => (units <= wanted ? 1048576 : Math.ceil((wanted / units) * 1048576));
    const all = funnel(events, STEPS, 'user', 72);
    const overallCut = cut(all[1]!.count, sampling.units);
    const sampled = (c: number) => (u: string) => hashOf.get(u)! < c;
    assert.ok(users.filter(sampled(overallCut)).length < all[1]!.count / 2, 'the overall medians come from a strict sample');
    assert.deepEqual(strip(res.steps), funnel(events, STEPS, 'user', 72, undefined, sampled(overallCut)));
    assert.deepEqual(
      strip(res.steps).map((s) => s.count),
      all.map((s) => s.count),
      'counts are never sampled',
    );
    assert.equal(res.breakdowns!.length, 3);
    for (const b of res.breakdowns!) {
      const keep = (e: Ev) => e.carrier === b.value;
      const groupCut = Math.max(overallCut, cut(funnel(events, STEPS, 'user', 72, keep)[1]!.count, sampling.unitsPerGroup));
      assert.deepEqual(strip(b.steps), funnel(events, STEPS, 'user', 72, keep, sampled(groupCut)), b.value);
    }
  });

  it('metric series cut days in the workspace zone and hours in UTC, with breakdowns, as a plain count', async () => {
    const localDay = (ms: number, tz: string) =>
      new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
    const get = async (query: string) => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/metrics?from=${new Date(FROM).toISOString()}&to=${new Date(TO).toISOString()}&${query}`,
        headers: bearer(analyst),
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const inRange = events.filter((e) => e.ts >= FROM && e.ts < TO);
    const day = await get('metric=delivery_rate&interval=day');
    assert.equal(day.timezone, 'Asia/Shanghai');
    const expected = new Map<string, { num: number; den: number }>();
    for (const e of inRange) {
      const d = localDay(e.ts, 'Asia/Shanghai');
      const x = expected.get(d) ?? { num: 0, den: 0 };
      if (e.type === 'delivery' && e.status === 'delivered') x.num++;
      if (e.type === 'send' && e.status === 'accepted') x.den++;
      expected.set(d, x);
    }
    assert.deepEqual(
      day.series.map((p: { local: string; numerator: number; denominator: number }) => [p.local.slice(0, 10), p.numerator, p.denominator]),
      [...expected].sort().map(([d, x]) => [d, x.num, x.den]),
    );
    assert.ok(day.series.every((p: { bucket: string; local: string }) => p.bucket.endsWith('Z') && p.local.endsWith('00:00')));
    const hours = await get('metric=click_rate&interval=hour&tz=UTC&breakdown=carrier');
    const key = (ms: number, carrier: string) => `${new Date(Math.floor(ms / HOUR) * HOUR).toISOString()}|${carrier}`;
    const clicks = new Map<string, number>();
    for (const e of inRange) if (e.type === 'click') clicks.set(key(e.ts, e.carrier), (clicks.get(key(e.ts, e.carrier)) ?? 0) + 1);
    for (const p of hours.series) assert.equal(p.numerator, clicks.get(`${p.bucket}|${p.group}`) ?? 0, `${p.bucket} ${p.group}`);
    assert.equal(
      hours.series.reduce((s: number, p: { numerator: number }) => s + p.numerator, 0),
      [...clicks.values()].reduce((a, b) => a + b, 0),
    );
    const filtered = await get(
      `metric=send_success_rate&interval=week&filters=${encodeURIComponent(JSON.stringify([{ prop: 'carrier', op: 'eq', value: 'China Telecom' }]))}`,
    );
    const tele = inRange.filter((e) => e.type === 'send' && e.carrier === 'China Telecom');
    assert.equal(
      filtered.series.reduce((s: number, p: { denominator: number }) => s + p.denominator, 0),
      tele.length,
    );
    const badFilter = await t.app.inject({
      method: 'GET',
      url: `/v1/metrics?metric=click_rate&from=${FIXTURE_YEAR}-11-10T00:00:00Z&to=${FIXTURE_YEAR}-11-11T00:00:00Z&filters=${encodeURIComponent('[{"prop":"carrier","op":"like"}]')}`,
      headers: bearer(analyst),
    });
    assert.equal(badFilter.json().field, 'querystring.filters[0].op');
  });

  it('send-time grid by local hour of week equals a plain count in Beijing and in UTC; quiet hours are honoured', async () => {
    const parts = (ms: number, tz: string) => {
      const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', hour: '2-digit', hourCycle: 'h23' }).formatToParts(ms);
      const wd = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(f.find((p) => p.type === 'weekday')!.value) + 1;
      return `${wd}:${Number(f.find((p) => p.type === 'hour')!.value)}`;
    };
    for (const tz of ['Asia/Shanghai', 'UTC']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/insights/send-time?from=${new Date(FROM).toISOString()}&to=${new Date(TO).toISOString()}&tz=${tz}&quiet_hours=21-9&prior_strength=20`,
        headers: bearer(analyst),
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      // Per message: its first successful delivery in range, and whether it was clicked (all within range).
      const inRange = events.filter((e) => e.ts >= FROM && e.ts < TO);
      const cells = new Map<string, { n: number; s: number }>();
      for (const m of new Set(inRange.map((e) => e.message_id))) {
        const evs = inRange.filter((e) => e.message_id === m);
        const delivered = evs
          .filter((e) => e.type === 'delivery' && e.status === 'delivered')
          .map((e) => e.ts)
          .sort((a, b) => a - b)[0];
        if (delivered === undefined) continue;
        const key = parts(delivered, tz);
        const c = cells.get(key) ?? { n: 0, s: 0 };
        c.n++;
        if (evs.some((e) => e.type === 'click')) c.s++;
        cells.set(key, c);
      }
      const n = [...cells.values()].reduce((a, c) => a + c.n, 0);
      const overall = [...cells.values()].reduce((a, c) => a + c.s, 0) / n;
      assert.equal(body.delivered, n);
      for (const row of body.grid) {
        for (const cell of row) {
          const want = cells.get(`${cell.weekday}:${cell.hour}`) ?? { n: 0, s: 0 };
          assert.deepEqual([cell.delivered, cell.successes], [want.n, want.s], `${tz} ${cell.weekday}:${cell.hour}`);
          assert.ok(Math.abs(cell.shrunk_rate - (want.s + 20 * overall) / (want.n + 20)) < 1e-12);
        }
      }
      const start = Number(body.recommended.start.slice(0, 2));
      assert.ok(start >= 9 && start + 2 <= 21, `recommended ${body.recommended.start}-${body.recommended.end} avoids quiet hours`);
    }
  });

  it('summary cards judge rates against the articles’ alarm levels', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/metrics/summary?from=${new Date(FROM).toISOString()}&to=${new Date(TO).toISOString()}`,
      headers: bearer(analyst),
    });
    const cards = new Map(res.json().cards.map((c: { metric: string }) => [c.metric, c]));
    const inRange = events.filter((e) => e.ts >= FROM && e.ts < TO);
    const sends = inRange.filter((e) => e.type === 'send');
    const success = sends.filter((e) => e.status === 'accepted').length / sends.length;
    const card = cards.get('send_success_rate') as { rate: number; status: string };
    assert.equal(card.rate, success);
    assert.equal(card.status, success < 0.95 ? 'alarm' : 'ok');
    assert.equal((cards.get('complaint_rate') as { status: string }).status, 'ok');
  });
});
