/**
 * The per-contact daily rollups and their readers: behaviour leaves, the frequency cap and 3-7-15 rule,
 * RFM and cluster features must give exactly what raw events give, with windows that start and end
 * inside UTC days, at local week starts of several time zones, and at the instants' edges (±1 ms).
 * Expected values are computed here in plain TypeScript from the generated events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededRandom } from '../../demo/random.ts';
import { materializeAudience } from '../../segmentation/audiences.ts';
import { computeRfm } from '../../segmentation/rfm.ts';
import type { EventLeaf, Rule } from '../../segmentation/rule-types.ts';
import { validateRule } from '../../segmentation/rule-validation.ts';
import { compiledRule, previewRule, saveSegment } from '../../segmentation/segments.ts';
import { storeEvents } from '../../ingest/event-store.ts';
import { validateEvent } from '../../ingest/event-validation.ts';
import { backfillContactRollups } from '../../warehouse/rollup-backfill.ts';
import { listMigrations, migrate } from '../../warehouse/migrations.ts';
import { openWarehouse } from '../../warehouse/warehouse.ts';
import { sql } from '../../warehouse/sql-files.ts';
import { formatTs } from '../../warehouse/time.ts';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';
import { dropTestDatabase, testConfig } from '../helpers/warehouse.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const DAY = 86_400_000;
const WS = 'roll';

interface Ev {
  event_id: string;
  unit: string;
  type: 'send' | 'delivery' | 'click' | 'conversion';
  ts: number;
  status: string;
  campaign_id: string;
  channel: string;
  category: string;
  revenue: number;
}

/** The wall clock of `ms` in `tz`, to the second. */
function wallClock(ms: number, tz: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(ms)
      .map((p) => [p.type, Number(p.value)]),
  );
  return { y: parts.year!, m: parts.month!, d: parts.day!, h: parts.hour!, min: parts.minute!, s: parts.second! };
}

/** The instant of 00:00 local time on a calendar day in `tz`. */
function localMidnight(y: number, m: number, d: number, tz: string): number {
  const offset = (ms: number) => {
    const w = wallClock(ms, tz);
    return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - Math.floor(ms / 1000) * 1000;
  };
  const guess = Date.UTC(y, m - 1, d);
  return guess - offset(guess - offset(guess));
}

/** Monday 00:00 of the week of `now`, local to `tz`, as an instant. */
function weekStart(now: number, tz: string): number {
  const w = wallClock(now, tz);
  const back = (new Date(Date.UTC(w.y, w.m - 1, w.d)).getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(w.y, w.m - 1, w.d - back));
  return localMidnight(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), tz);
}

const utcMidnight = (ms: number) => Math.floor(ms / DAY) * DAY;

describe('per-contact daily rollups', () => {
  let t: TestApp;
  const real = Date.now();
  // One instant in the middle of a week in every zone tested (the latest Thursday 12:00 UTC at least two days ago,
  // less 12,345 ms: Thursday evening in Shanghai and Kolkata, morning in New York, so each zone's week already holds
  // days of sends whatever day the suite runs), one just after Monday 00:00 in Shanghai (Sunday 16:30 UTC: the local
  // week starts on the same UTC day as now).
  const nowA = (() => {
    let x = utcMidnight(real - 2 * DAY) + 12 * 3600_000 - 12_345;
    while (new Date(x).getUTCDay() !== 4 || x > real - 2 * DAY) x -= DAY;
    return x;
  })();
  const nowB = (() => {
    let x = utcMidnight(real - DAY) + 16.5 * 3600_000;
    while (new Date(x).getUTCDay() !== 0 || x > real - DAY) x -= DAY;
    return x;
  })();
  const nows = [nowA, nowB];
  const zones = ['Asia/Shanghai', 'America/New_York', 'Asia/Kolkata', 'UTC'];
  const units: string[] = [];
  const newUsers = new Set<string>();
  const events: Ev[] = [];

  before(async () => {
    t = await startTestApp('contact_rollups');
    const rnd = seededRandom(12);
    // Instants where a window or a day starts or ends, each also 1 ms either side.
    const marks: number[] = [];
    for (const now of nows) {
      marks.push(now);
      for (const n of [1, 7, 30]) marks.push(now - n * DAY, utcMidnight(now - n * DAY), utcMidnight(now - n * DAY) + DAY);
      marks.push(utcMidnight(now));
      for (const tz of zones) marks.push(weekStart(now, tz));
    }
    const instants = marks.flatMap((m) => [m - 1, m, m + 1]);
    for (let i = 0; i < 70; i++) {
      // Number-list contacts have their phone as user id; their events carry only the phone.
      const unit = i % 10 === 9 ? `+86139000000${String(i).padStart(2, '0')}` : `r${String(i).padStart(2, '0')}`;
      units.push(unit);
      if (i < 10) newUsers.add(unit);
      const n = rnd.int(10, 45);
      for (let k = 0; k < n; k++) {
        const type = rnd.pick(['send', 'send', 'delivery', 'click', 'conversion'] as const);
        let ts = rnd.chance(0.6) ? rnd.pick(instants) : real - rnd.int(0, 40 * 24) * 3600_000 + rnd.int(-1800_000, 1800_000);
        // Half the new users got nothing in the 7 days before nowA: their sends land 1 ms before that window.
        if (i < 10 && i % 2 === 0 && type === 'send' && ts >= nowA - 7 * DAY && ts <= nowA) ts = nowA - 7 * DAY - 1;
        events.push({
          event_id: `${unit}_${k}`,
          unit,
          type,
          ts: Math.min(ts, real + 20 * 3600_000),
          status: type === 'send' ? rnd.pick(['accepted', 'accepted', 'rejected']) : type === 'delivery' ? rnd.pick(['delivered', 'failed']) : '',
          campaign_id: rnd.pick(['c1', 'c2']),
          channel: rnd.pick(['106', 'card']),
          category: type === 'conversion' ? rnd.pick(['electronics', 'books', '']) : '',
          revenue: type === 'conversion' ? rnd.int(1, 9999) / 100 : 0,
        });
      }
    }
    const admin = await t.keyFor('admin', WS);
    const contacts = units.map((u) => ({
      user_id: u,
      phone: u.startsWith('+') ? u : `13${String(800_000_000 + units.indexOf(u))}`,
      vip_level: 0,
      signup_at: newUsers.has(u) ? nowA - 5 * DAY : nowA - 400 * DAY,
    }));
    const res = await t.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(admin), payload: contacts });
    assert.ok(res.statusCode < 300, res.body);
    const bodies = events.map((e) => ({
      event_id: e.event_id,
      type: e.type,
      ts: e.ts,
      ...(e.unit.startsWith('+') ? { phone: e.unit } : { user_id: e.unit }),
      campaign_id: e.campaign_id,
      channel: e.channel,
      ...(e.status && { status: e.status }),
      ...(e.type === 'conversion' && { revenue: e.revenue, properties: e.category ? { category: e.category } : { note: 'x' } }),
    }));
    const sender = await t.keyFor('sender', WS);
    await postEvents(t, sender, bodies);
    // A retried request (the same body again) must not count twice in the rollups either.
    await postEvents(t, sender, bodies.slice(0, 5000));
  });
  after(() => t.close());

  const inWindow = (ts: number, now: number, days: number | undefined, strictStart = false) =>
    ts <= now && (days === undefined || (strictStart ? ts > now - days * DAY : ts >= now - days * DAY));

  /** A behaviour leaf evaluated from the generated events, as the README defines it. */
  function holds(leaf: EventLeaf, unit: string, now: number): boolean {
    const n = events.filter(
      (e) =>
        e.unit === unit &&
        e.type === leaf.event &&
        inWindow(e.ts, now, leaf.within_days) &&
        (leaf.where ?? []).every((w) => {
          const actual = w.prop === 'category' ? e.category : w.prop === 'revenue' ? e.revenue : String(e[w.prop as 'status' | 'campaign_id' | 'channel']);
          if (w.op === 'gte') return Number(actual) >= Number(w.value);
          return w.op === 'eq' ? actual === w.value : (w.value as string[]).includes(actual as string);
        }),
    ).length;
    const { op, value } = leaf.count ?? { op: 'gte', value: 1 };
    return { eq: n === value, neq: n !== value, gt: n > value, gte: n >= value, lt: n < value, lte: n <= value }[op];
  }

  const leaves: EventLeaf[] = [
    { event: 'click', within_days: 1 },
    { event: 'click', within_days: 7, count: { op: 'gte', value: 2 } },
    { event: 'send', where: [{ prop: 'status', op: 'eq', value: 'accepted' }], within_days: 7, count: { op: 'lt', value: 2 } },
    { event: 'conversion', where: [{ prop: 'category', op: 'eq', value: 'electronics' }], within_days: 30 },
    {
      event: 'conversion',
      where: [
        { prop: 'category', op: 'in', value: ['electronics', 'books'] },
        { prop: 'campaign_id', op: 'eq', value: 'c1' },
      ],
      within_days: 30,
      count: { op: 'eq', value: 1 },
    },
    {
      event: 'delivery',
      where: [
        { prop: 'channel', op: 'eq', value: 'card' },
        { prop: 'status', op: 'in', value: ['delivered'] },
      ],
      count: { op: 'gte', value: 2 },
    },
    { event: 'click', count: { op: 'eq', value: 0 } },
    { event: 'send', within_days: 30, count: { op: 'gte', value: 6 } },
  ];
  // The same leaf with a condition that is always true but that no rollup keeps: it reads raw events only.
  const rawOnly = (leaf: EventLeaf): EventLeaf => ({ ...leaf, where: [...(leaf.where ?? []), { prop: 'revenue', op: 'gte', value: 0 }] });

  it('picks the rollup for leaves it can answer and raw events otherwise (compiled SQL)', () => {
    const compile = (rule: Rule) => compiledRule(validateRule(rule), WS, nowA, 'UTC').expression;
    for (const leaf of leaves) {
      const table = (leaf.where ?? []).some((w) => w.prop !== 'status') ? 'contact_daily_dims' : 'contact_daily';
      const text = compile(leaf);
      assert.match(text, new RegExp(`FROM ${table} WHERE`), JSON.stringify(leaf));
      // Raw events only for the edge days.
      assert.match(text, /FROM events WHERE .*toDate\(ts\)/, JSON.stringify(leaf));
      assert.doesNotMatch(compile(rawOnly(leaf)), /contact_daily/, JSON.stringify(leaf));
    }
    for (const leaf of [
      { event: 'conversion', where: [{ prop: 'category', op: 'neq', value: 'books' }] },
      { event: 'conversion', where: [{ prop: 'note', op: 'eq', value: 'x' }] },
      { event: 'click', where: [{ prop: 'message_id', op: 'in', value: ['m1'] }] },
      { event: 'click', where: [{ prop: 'campaign_id', op: 'contains', value: 'c' }] },
    ] as EventLeaf[]) {
      assert.doesNotMatch(compile(leaf), /contact_daily/, JSON.stringify(leaf));
    }
    // Combined leaves each choose for themselves.
    const mixed = compile({ all: [leaves[0]!, rawOnly(leaves[1]!), { not: leaves[3]! }] });
    assert.equal(mixed.match(/FROM contact_daily WHERE/g)?.length, 1);
    assert.equal(mixed.match(/FROM contact_daily_dims WHERE/g)?.length, 1);
  });

  it('rollup and raw paths give the independently computed contacts, for windows crossing day edges', async () => {
    let discriminating = 0;
    for (const now of nows) {
      for (const leaf of leaves) {
        const expected = units.filter((u) => holds(leaf, u, now)).sort();
        if (expected.length > 0 && expected.length < units.length) discriminating++;
        for (const rule of [leaf, rawOnly(leaf)]) {
          const got = await previewRule(t.wh, WS, rule, { nowMs: now, timezone: 'Asia/Shanghai', sample: 1000 });
          assert.equal(got.count, expected.length, `${JSON.stringify(rule)} at ${new Date(now).toISOString()}`);
          assert.deepEqual(
            got.sample.map((r) => r.user_id),
            expected,
            `${JSON.stringify(rule)} at ${new Date(now).toISOString()}`,
          );
        }
      }
    }
    assert.ok(discriminating >= leaves.length, `only ${discriminating} rule evaluations discriminate`);
  });

  it('a preview returns the count and a sample bounded as asked, in user_id order', async () => {
    const leaf = leaves[3]!;
    const expected = units.filter((u) => holds(leaf, u, nowA)).sort();
    for (const sample of [0, 1, 5]) {
      const got = await previewRule(t.wh, WS, leaf, { nowMs: nowA, timezone: 'UTC', sample });
      assert.deepEqual([got.count, got.sample.map((r) => r.user_id)], [expected.length, expected.slice(0, sample)]);
    }
    const none = await previewRule(t.wh, WS, { event: 'exposure' }, { nowMs: nowA, timezone: 'UTC', sample: 10 });
    assert.deepEqual(none, { count: 0, sample: [] });
  });

  it('weekly frequency cap and 3-7-15 rule count accepted sends exactly, in every time zone', async () => {
    const segment = await saveSegment(t.wh, WS, { name: 'everyone', rule: { not: { tag: 'none' } } }, 'test');
    const members = async (version: number) =>
      new Map(
        (
          await t.wh.query<{ user_id: string; excluded: string }>(
            'SELECT user_id, excluded FROM audience_members WHERE workspace_id = {ws:String} AND audience_id = {id:String} AND version = {v:UInt32}',
            { ws: WS, id: segment.id, v: version },
          )
        ).map((r) => [r.user_id, r.excluded]),
      );
    const accepted = (u: string, from: number, now: number) =>
      events.filter((e) => e.unit === u && e.type === 'send' && e.status === 'accepted' && e.ts >= from && e.ts <= now).length;
    for (const now of nows) {
      for (const tz of zones) {
        const start = weekStart(now, tz);
        const expected = new Map(units.map((u) => [u, accepted(u, start, now)]));
        assert.ok(new Set(expected.values()).size >= 3, 'test data must give varied weekly counts');
        // Each cap K excludes exactly those with at least K sends this week.
        for (let k = 1; k <= Math.max(...expected.values()) + 1; k++) {
          const cap = { per_week: k, vip_per_week: k, vip_min_level: 1 };
          const audience = await materializeAudience(t.wh, WS, segment, { frequency_cap: cap }, { nowMs: now, timezone: tz, changedBy: 'test' });
          const got = await members(audience.spec.version);
          for (const u of units)
            assert.equal(
              got.get(u) === 'frequency_cap',
              expected.get(u)! >= k,
              `${u} in ${tz} at ${new Date(now).toISOString()} with cap ${k}: ${expected.get(u)} sends`,
            );
        }
      }
    }
    // Service messages in a new user's first 7 days: none to those with an accepted send in the last 7 days.
    const audience = await materializeAudience(
      t.wh,
      WS,
      segment,
      { new_user_rule: true, message_kind: 'service' },
      { nowMs: nowA, timezone: 'Asia/Shanghai', changedBy: 'test' },
    );
    const got = await members(audience.spec.version);
    const fresh = [...newUsers].map((u) => [u, accepted(u, nowA - 7 * DAY, nowA) >= 1] as const);
    assert.ok(fresh.some(([, sent]) => sent) && fresh.some(([, sent]) => !sent), 'test data must have new users with and without sends');
    for (const [u, sent] of fresh) assert.equal(got.get(u) === 'new_user_rule', sent, u);
  });

  it('RFM recency, frequency and revenue are exact over (now - window, now]', async () => {
    for (const now of nows) {
      for (const windowDays of [1, 7, 30]) {
        await computeRfm(t.wh, WS, { windowDays, event: 'conversion', nowMs: now });
        // This run's rows (runs at the same instant with other windows share computed_at).
        const rows = await t.wh.query<{ user_id: string; recency_days: number; frequency: string; monetary: number }>(
          'SELECT user_id, recency_days, frequency, monetary FROM rfm_scores WHERE workspace_id = {ws:String} AND computed_at = {now:DateTime64(3)} AND window_days = {w:UInt32} ORDER BY user_id',
          { ws: WS, now: formatTs(now), w: windowDays },
        );
        const expected = units
          .flatMap((u) => {
            const mine = events.filter((e) => e.unit === u && e.type === 'conversion' && inWindow(e.ts, now, windowDays, true));
            if (!mine.length) return [];
            return [
              {
                user_id: u,
                recency: (now - Math.max(...mine.map((e) => e.ts))) / DAY,
                frequency: mine.length,
                monetary: mine.reduce((s, e) => s + Math.round(e.revenue * 100), 0) / 100,
              },
            ];
          })
          .sort((a, b) => (a.user_id < b.user_id ? -1 : 1));
        assert.deepEqual(
          rows.map((r) => r.user_id),
          expected.map((e) => e.user_id),
          `window ${windowDays} at ${new Date(now).toISOString()}`,
        );
        rows.forEach((r, i) => {
          const e = expected[i]!;
          assert.ok(Math.abs(Number(r.recency_days) - e.recency) < 1e-9, `${r.user_id} recency ${r.recency_days} vs ${e.recency}`);
          assert.equal(Number(r.frequency), e.frequency, r.user_id);
          assert.ok(Math.abs(Number(r.monetary) - e.monetary) < 1e-6, `${r.user_id} monetary ${r.monetary} vs ${e.monetary}`);
        });
      }
    }
  });

  it('cluster features are exact over (now - window, now]', async () => {
    for (const now of nows) {
      for (const windowDays of [1, 7]) {
        const rows = await t.wh.query<{
          user_id: string;
          recency_days: number;
          frequency: number;
          monetary: number;
          click_rate: number;
          conversion_rate: number;
        }>(sql('clusters/features'), { workspace: WS, now: formatTs(now), window: windowDays });
        assert.equal(rows.length, units.length);
        for (const r of rows) {
          const mine = events.filter((e) => e.unit === r.user_id && inWindow(e.ts, now, windowDays, true));
          const conversions = mine.filter((e) => e.type === 'conversion');
          const clicks = mine.filter((e) => e.type === 'click').length;
          const delivered = mine.filter((e) => e.type === 'delivery' && e.status === 'delivered').length;
          const last = Math.max(...conversions.map((e) => e.ts));
          const recency = conversions.length ? Math.min(windowDays, (Math.floor(now / 1000) - Math.floor(last / 1000)) / 86400) : windowDays;
          const at = `${r.user_id} window ${windowDays} at ${new Date(now).toISOString()}`;
          assert.equal(r.frequency, conversions.length, at);
          assert.ok(Math.abs(r.monetary - conversions.reduce((s, e) => s + e.revenue, 0)) < 1e-6, at);
          assert.ok(Math.abs(r.click_rate - (delivered ? clicks / delivered : 0)) < 1e-9, at);
          assert.ok(Math.abs(r.conversion_rate - (delivered ? conversions.length / delivered : 0)) < 1e-9, at);
          assert.ok(Math.abs(r.recency_days - recency) < 1e-4, `${at}: recency ${r.recency_days} vs ${recency}`);
        }
      }
    }
  });

  it('hold every event once (a retried request is not counted twice), and a backfill rebuilds the same rows', async () => {
    const snapshot = (table: string) =>
      t.wh.query(
        `SELECT type, day, unit, status, ${table === 'contact_daily_dims' ? 'campaign_id, template_id, channel, category, ' : ''}sum(events) AS n, sum(revenue) AS revenue, max(last_ts) AS last FROM ${table} WHERE workspace_id = {ws:String} GROUP BY ALL ORDER BY ALL`,
        { ws: WS },
      );
    const [total] = await t.wh.query<{ n: string }>('SELECT sum(events) AS n FROM contact_daily WHERE workspace_id = {ws:String}', { ws: WS });
    assert.equal(Number(total!.n), events.length);
    const before = [await snapshot('contact_daily'), await snapshot('contact_daily_dims')];
    await backfillContactRollups(t.wh);
    assert.deepEqual([await snapshot('contact_daily'), await snapshot('contact_daily_dims')], before);
    // Twice: the refill's blocks equal the first refill's and must not be dropped as retried inserts.
    await backfillContactRollups(t.wh);
    assert.deepEqual([await snapshot('contact_daily'), await snapshot('contact_daily_dims')], before);
  });

  it('previews over HTTP read the rollup and answer what the events say', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const marketer = await t.keyFor('marketer', WS);
    const rule = { event: 'conversion', where: [{ prop: 'category', op: 'eq', value: 'electronics' }], within_days: 30 } as EventLeaf;
    const expectedAt = (now: number) => units.filter((u) => holds(rule, u, now)).sort();
    const before = expectedAt(Date.now());
    const res = await fetch(`${address}/v1/segments/preview`, {
      method: 'POST',
      headers: { ...bearer(marketer), 'content-type': 'application/json' },
      body: JSON.stringify({ rule, sample: 3 }),
    });
    const after = expectedAt(Date.now());
    assert.equal(res.status, 200);
    assert.deepEqual(before, after, 'an event crossed the window edge during the request: run again');
    const body = (await res.json()) as { count: number; sample: { user_id: string }[] };
    assert.deepEqual([body.count, body.sample.map((r: { user_id: string }) => r.user_id)], [before.length, before.slice(0, 3)]);
    const bad = await fetch(`${address}/v1/segments/preview`, {
      method: 'POST',
      headers: { ...bearer(marketer), 'content-type': 'application/json' },
      body: JSON.stringify({ rule: { ...rule, within_days: 0 } }),
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { field: string }).field, 'body.rule.within_days');
  });
});

describe('migration 0012 on an installation that already has events', () => {
  it('fills the rollups with the stored events, and the views keep them up to date', async () => {
    const wh = await openWarehouse(testConfig('rollup_migration').warehouse);
    try {
      await migrate(
        wh,
        listMigrations().filter((f) => f.version < '0012'),
      );
      const row = (id: string, input: Record<string, unknown>) => {
        const r = validateEvent('w1', { event_id: id, ...input });
        if (!r.ok) throw new Error(r.error.message);
        return r.row;
      };
      await storeEvents(wh, [
        row('a', { type: 'send', ts: `${FIXTURE_YEAR}-03-01T10:00:00Z`, user_id: 'u1' }),
        row('b', { type: 'send', ts: `${FIXTURE_YEAR}-03-01T23:59:59.999Z`, user_id: 'u1', status: 'rejected' }),
        row('c', { type: 'send', ts: `${FIXTURE_YEAR}-03-01T12:00:00Z`, user_id: 'u1' }),
        row('d', {
          type: 'conversion',
          ts: `${FIXTURE_YEAR}-03-02T00:00:00Z`,
          phone: '+8613800000001',
          revenue: 12.5,
          campaign_id: 'c9',
          properties: { category: 'books' },
        }),
      ]);
      const applied = await migrate(wh);
      assert.ok(applied.includes('0012_contact_rollups'), applied.join());
      // Stored after the migration: counted by the views.
      await storeEvents(wh, [
        row('e', {
          type: 'conversion',
          ts: `${FIXTURE_YEAR}-03-02T08:00:00Z`,
          phone: '+8613800000001',
          revenue: 1,
          campaign_id: 'c9',
          properties: { category: 'books' },
        }),
      ]);
      const daily = await wh.query(
        'SELECT toString(type) AS type, toString(day) AS day, unit, status, toUInt64(sum(events)) AS n, toFloat64(sum(revenue)) AS revenue, toString(max(last_ts)) AS last FROM contact_daily GROUP BY ALL ORDER BY ALL',
      );
      assert.deepEqual(daily, [
        {
          type: 'conversion',
          day: `${FIXTURE_YEAR}-03-02`,
          unit: '+8613800000001',
          status: '',
          n: 2,
          revenue: 13.5,
          last: `${FIXTURE_YEAR}-03-02 08:00:00.000`,
        },
        { type: 'send', day: `${FIXTURE_YEAR}-03-01`, unit: 'u1', status: 'accepted', n: 2, revenue: 0, last: `${FIXTURE_YEAR}-03-01 12:00:00.000` },
        { type: 'send', day: `${FIXTURE_YEAR}-03-01`, unit: 'u1', status: 'rejected', n: 1, revenue: 0, last: `${FIXTURE_YEAR}-03-01 23:59:59.999` },
      ]);
      const dims = await wh.query(
        "SELECT unit, campaign_id, category, toUInt64(sum(events)) AS n FROM contact_daily_dims WHERE type = 'conversion' GROUP BY ALL",
      );
      assert.deepEqual(dims, [{ unit: '+8613800000001', campaign_id: 'c9', category: 'books', n: 2 }]);
    } finally {
      await dropTestDatabase(wh);
    }
  });
});
