/**
 * Lifecycle stages over generated histories (seeded): each contact's stage is computed HERE, independently, from
 * the same generated contacts and events, and compared with the lifecycle rule leaf (the sets a preview matches)
 * and with the report's sizes now, at every week end and the flows between them; the repurchase and re-activation
 * rates equal hand counts; a settings change moves contacts between stages; another workspace's data is never
 * counted; bad inputs are 400s naming the field; one call goes through a real listener.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { addZoneDays } from '../../common/zone-time.ts';
import { seededRandom } from '../../demo/random.ts';
import { previewRule } from '../../segmentation/segments.ts';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';
import { fixClock, recentWallTime } from '../helpers/clock.ts';
import { testRandom } from '../helpers/random.ts';

const WS = 'life_a';
const OTHER = 'life_b';
const TZ = 'Asia/Shanghai'; // no DST: a calendar day is 24 h, so the model below counts days in milliseconds
const DAY = 86_400_000;
const STAGES = ['new', 'churned', 'dormant', 'loyal', 'repeat', 'active'] as const;
type Stage = (typeof STAGES)[number];

interface Thresholds {
  new_days: number;
  dormant_days: number;
  churned_days: number;
  purchase_window_days: number;
  repeat_conversions: number;
  loyal_conversions: number;
}
const DEFAULTS: Thresholds = { new_days: 15, dormant_days: 30, churned_days: 90, purchase_window_days: 90, repeat_conversions: 2, loyal_conversions: 4 };

interface Contact {
  user_id: string;
  phone: string;
  signup: number | null;
}
interface Ev {
  unit: string;
  /** Sent with the phone only (the contact's user id is its phone). */
  byPhone: boolean;
  type: string;
  ts: number;
  campaign?: string;
  status?: string;
}

/** `days` calendar days before `at`: 24 h each in Shanghai; in a DST zone the same wall-clock time (23 or 25 h across a change). */
type DaysBefore = (at: number, days: number) => number;
const shanghaiDays: DaysBefore = (at, days) => at - days * DAY;
const nyDays: DaysBefore = (at, days) => addZoneDays(at, -days, 'America/New_York');

/** The stage of a contact at T, straight from the definition in the README; undefined: it did not exist yet. */
function stageAt(c: Contact, events: Ev[], at: number, s: Thresholds, before: DaysBefore = shanghaiDays): Stage | undefined {
  if (c.signup !== null && c.signup >= at) return undefined;
  const touches = events.filter((e) => e.unit === c.user_id && ['click', 'conversion', 'reply'].includes(e.type) && e.ts < at);
  if (c.signup !== null && c.signup >= before(at, s.new_days)) return 'new';
  const quietSince = Math.max(c.signup ?? 0, ...touches.map((e) => e.ts));
  if (quietSince < before(at, s.churned_days)) return 'churned';
  if (quietSince < before(at, s.dormant_days)) return 'dormant';
  const conversions = touches.filter((e) => e.type === 'conversion' && e.ts >= before(at, s.purchase_window_days)).length;
  if (conversions >= s.loyal_conversions) return 'loyal';
  if (conversions >= s.repeat_conversions) return 'repeat';
  return 'active';
}

/** Monday 00:00 in Shanghai (UTC+8) starting the week of `ms`. */
function mondayOf(ms: number): number {
  const local = ms + 8 * 3_600_000;
  const day = Math.floor(local / DAY);
  const weekday = (new Date(day * DAY).getUTCDay() + 6) % 7;
  return (day - weekday) * DAY - 8 * 3_600_000;
}

const sizesOf = (stages: (Stage | undefined)[]) => {
  const sizes = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  for (const s of stages) if (s) sizes[s]++;
  return sizes;
};

describe('lifecycle stages', () => {
  let t: TestApp;
  let realClock: () => void;
  const now = recentWallTime('Wed', '12:00', TZ);
  const keys: Record<string, string> = {};
  const contacts: Contact[] = [];
  const events: Ev[] = [];
  const get = async (url: string, key = keys.analyst!) => {
    const res = await t.app.inject({ method: 'GET', url, headers: bearer(key) });
    return { status: res.statusCode, body: res.json() };
  };
  const put = async (url: string, payload: object, key = keys.marketer!) => {
    const res = await t.app.inject({ method: 'PUT', url, headers: bearer(key), payload });
    return { status: res.statusCode, body: res.json() };
  };
  const expectedAt = (at: number, s: Thresholds, before?: DaysBefore) => new Map(contacts.map((c) => [c.user_id, stageAt(c, events, at, s, before)]));
  const leafSet = async (lifecycle: unknown) =>
    new Set((await previewRule(t.wh, WS, { lifecycle }, { nowMs: now, timezone: TZ, sample: 10_000 })).sample.map((r) => r.user_id));

  /** The rule leaf matches exactly the contacts the model puts in each stage, and the report's sizes now agree. */
  async function assertStagesNow(s: Thresholds) {
    const expected = expectedAt(now, s);
    for (const stage of STAGES) {
      const want = [...expected].filter(([, v]) => v === stage).map(([k]) => k);
      assert.deepEqual([...(await leafSet(stage))].sort(), want.sort(), `stage ${stage}`);
    }
    const pair = await leafSet({ in: ['dormant', 'churned'] });
    assert.deepEqual(
      [...pair].sort(),
      [...expected]
        .filter(([, v]) => v === 'dormant' || v === 'churned')
        .map(([k]) => k)
        .sort(),
    );
    const report = await get('/v1/lifecycle?weeks=1');
    assert.equal(report.status, 200);
    assert.deepEqual(report.body.now.stages, sizesOf([...expected.values()]));
  }

  before(async () => {
    realClock = fixClock(now);
    t = await startTestApp('lifecycle');
    for (const role of ['admin', 'analyst', 'marketer', 'sender'] as const) keys[role] = await t.keyFor(role, WS);
    keys.otherAdmin = await t.keyFor('admin', OTHER);
    keys.otherSender = await t.keyFor('sender', OTHER);
    const rnd = testRandom('lifecycle');
    const iso = (ms: number) => new Date(ms).toISOString();
    const touchTypes = ['click', 'conversion', 'reply'];
    for (let i = 0; i < 160; i++) {
      // Every tenth contact is a number-list contact: its user id is its phone and its events carry the phone only.
      const phone = `+86139${String(20_000_000 + i).padStart(8, '0')}`;
      const listed = i % 10 === 3;
      const c: Contact = {
        user_id: listed ? phone : `lc${String(i).padStart(3, '0')}`,
        phone,
        signup: rnd.chance(0.85) ? now - rnd.int(0, 200 * 24) * 3_600_000 - rnd.int(0, 3_599_999) : null,
      };
      contacts.push(c);
      // Bursts of activity at a few points of the past 200 days, so every stage and many week-over-week moves appear.
      const bursts = rnd.int(0, 3);
      for (let b = 0; b < bursts; b++) {
        const centre = now - rnd.int(0, 200) * DAY;
        for (let k = rnd.int(1, 6); k > 0; k--) {
          const ts = centre - rnd.int(0, 10 * 24 * 3600) * 1000 - rnd.int(0, 999);
          if (ts < now) events.push({ unit: c.user_id, byPhone: listed, type: rnd.pick(touchTypes), ts });
        }
      }
      // Sends and deliveries are not interactions.
      for (let k = rnd.int(0, 4); k > 0; k--) {
        const type = rnd.pick(['send', 'delivery']);
        events.push({ unit: c.user_id, byPhone: listed, type, ts: now - rnd.int(1, 100) * DAY, status: type === 'send' ? 'accepted' : 'delivered' });
      }
    }
    // Hand-made cases of the precedence, at known distances from now.
    const hand = (id: string, signupDaysAgo: number | null, touches: [string, number][]) => {
      contacts.push({ user_id: id, phone: '', signup: signupDaysAgo === null ? null : now - signupDaysAgo * DAY });
      for (const [type, daysAgo] of touches) events.push({ unit: id, byPhone: false, type, ts: now - daysAgo * DAY });
    };
    hand('h_new_buyer', 5, [
      ['conversion', 4],
      ['conversion', 3],
      ['conversion', 2],
      ['conversion', 1],
    ]); // new before loyal
    hand('h_quiet_signup', 100, []); // churned: quiet since sign-up
    hand('h_dormant_loyal', 200, [
      ['conversion', 60],
      ['conversion', 50],
      ['conversion', 45],
      ['conversion', 40],
    ]); // dormant before loyal
    hand('h_loyal', 300, [
      ['conversion', 10],
      ['conversion', 8],
      ['conversion', 6],
      ['conversion', 2],
    ]);
    hand('h_repeat', 300, [
      ['conversion', 10],
      ['conversion', 3],
    ]);
    hand('h_active', 300, [['click', 1]]);
    hand('h_nothing', null, []); // never interacted, no sign-up: churned
    hand('h_sends_only', 300, []);
    events.push({ unit: 'h_sends_only', byPhone: false, type: 'send', ts: now - DAY, status: 'accepted' });
    hand('h_recent_signup_quiet', 20, []); // past new, quiet 20 days: active

    // A campaign delivered to some contacts in the last 3 weeks, with interactions after some deliveries.
    for (const c of contacts.filter((_, i) => i % 3 === 0 && contacts[i]!.phone)) {
      const listed = c.user_id === c.phone;
      const at = now - rnd.int(8, 20) * DAY - rnd.int(0, DAY - 1);
      events.push({ unit: c.user_id, byPhone: listed, type: 'delivery', ts: at, campaign: 'react', status: rnd.chance(0.85) ? 'delivered' : 'failed' });
      // A later second delivery of the same campaign: the first one counts.
      if (rnd.chance(0.2)) events.push({ unit: c.user_id, byPhone: listed, type: 'delivery', ts: at + 2 * DAY, campaign: 'react', status: 'delivered' });
      if (rnd.chance(0.4)) events.push({ unit: c.user_id, byPhone: listed, type: rnd.pick(touchTypes), ts: at + rnd.int(1, 9 * 24) * 3_600_000 });
    }

    const body = contacts.map((c) => ({ user_id: c.user_id, ...(c.phone && { phone: c.phone }), ...(c.signup !== null && { signup_at: iso(c.signup) }) }));
    for (const [key, ws] of [
      [keys.admin!, WS],
      [keys.otherAdmin!, OTHER],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/contacts',
        headers: bearer(key),
        payload: ws === WS ? body : body.map((c) => ({ ...c, signup_at: undefined })),
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    const toEvent = (e: Ev, i: number, prefix: string) => ({
      event_id: `${prefix}${i}`,
      type: e.type,
      ts: iso(e.ts),
      ...(e.byPhone ? { phone: e.unit } : { user_id: e.unit }),
      ...(e.campaign && { campaign_id: e.campaign }),
      ...(e.status && { status: e.status }),
    });
    await postEvents(
      t,
      keys.sender!,
      events.map((e, i) => toEvent(e, i, 'lc')),
    );
    // The other workspace: the same people converting and clicking all the time, and the campaign delivered to all.
    const noise = seededRandom(7);
    const otherEvents: Ev[] = contacts.flatMap((c) => [
      ...Array.from({ length: 5 }, () => ({ unit: c.user_id, byPhone: false, type: 'conversion', ts: now - noise.int(1, 60) * DAY })),
      { unit: c.user_id, byPhone: false, type: 'delivery', ts: now - 10 * DAY, campaign: 'react', status: 'delivered' },
      { unit: c.user_id, byPhone: false, type: 'click', ts: now - 9 * DAY },
    ]);
    await postEvents(
      t,
      keys.otherSender!,
      otherEvents.map((e, i) => toEvent(e, i, 'other')),
    );
  });
  after(async () => {
    await t?.close();
    realClock();
  });

  it('puts every contact in the stage the definition gives, with the default thresholds', async () => {
    const settings = await get('/v1/lifecycle/settings');
    assert.equal(settings.status, 200);
    assert.deepEqual(settings.body.settings, DEFAULTS);
    assert.equal(settings.body.version, 0);
    const expected = expectedAt(now, DEFAULTS);
    // The hand-made precedence cases, read directly.
    assert.deepEqual(
      ['h_new_buyer', 'h_quiet_signup', 'h_dormant_loyal', 'h_loyal', 'h_repeat', 'h_active', 'h_nothing', 'h_sends_only', 'h_recent_signup_quiet'].map((id) =>
        expected.get(id),
      ),
      ['new', 'churned', 'dormant', 'loyal', 'repeat', 'active', 'churned', 'churned', 'active'],
    );
    // The generated histories reach every stage, so the comparison below means something.
    for (const stage of STAGES) assert.ok([...expected.values()].filter((v) => v === stage).length >= 3, `few contacts in ${stage}`);
    await assertStagesNow(DEFAULTS);
  });

  it('gives a computed tag to the contacts of a lifecycle stage', async () => {
    const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: bearer(keys.marketer!), payload });
    const created = await post('/v1/computed-tags', { tag: 'sleepers', rule: { lifecycle: { in: ['dormant', 'churned'] } } });
    assert.equal(created.statusCode, 201, created.body);
    const refreshed = await post(`/v1/computed-tags/${created.json().id}/refresh`, {});
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const expected = [...expectedAt(now, DEFAULTS)].filter(([, v]) => v === 'dormant' || v === 'churned').map(([k]) => k);
    assert.deepEqual([refreshed.json().members, refreshed.json().added], [expected.length, expected.length]);
    const tagged = await previewRule(t.wh, WS, { tag: 'sleepers' }, { nowMs: now, timezone: TZ, sample: 10_000 });
    assert.deepEqual(tagged.sample.map((r) => r.user_id).sort(), expected.sort());
  });

  it('reports sizes at each week end, the flows between them and the repurchase rate', async () => {
    const weeks = 6;
    const res = await get(`/v1/lifecycle?weeks=${weeks}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.timezone, TZ);
    const bounds = [mondayOf(now)];
    while (bounds.length <= weeks) bounds.unshift(bounds[0]! - 7 * DAY);
    assert.equal(res.body.weeks.length, weeks);
    let moved = 0;
    for (let w = 0; w < weeks; w++) {
      const [start, end] = [bounds[w]!, bounds[w + 1]!];
      const week = res.body.weeks[w];
      assert.equal(week.start, new Date(start).toISOString());
      assert.equal(week.end, new Date(end).toISOString());
      const atStart = expectedAt(start, DEFAULTS);
      const atEnd = expectedAt(end, DEFAULTS);
      assert.deepEqual(week.stages, sizesOf([...atEnd.values()]), `sizes at the end of week ${w + 1}`);
      const flows = new Map<string, number>();
      for (const [id, to] of atEnd) {
        if (!to) continue;
        const key = `${atStart.get(id) ?? null}>${to}`;
        flows.set(key, (flows.get(key) ?? 0) + 1);
      }
      const got = new Map<string, number>(week.flows.map((f: any) => [`${f.from}>${f.to}`, f.contacts]));
      assert.deepEqual(got, flows, `flows of week ${w + 1}`);
      moved += week.flows.filter((f: any) => f.from !== f.to).reduce((n: number, f: any) => n + f.contacts, 0);
      // Repurchase: buyers with a conversion in the week, repeat buyers with two or more.
      const perUnit = new Map<string, number>();
      for (const e of events) if (e.type === 'conversion' && e.ts >= start && e.ts < end) perUnit.set(e.unit, (perUnit.get(e.unit) ?? 0) + 1);
      const repeat = [...perUnit.values()].filter((n) => n >= 2).length;
      assert.deepEqual(
        week.repurchase,
        { buyers: perUnit.size, repeat_buyers: repeat, rate: perUnit.size ? repeat / perUnit.size : null },
        `repurchase of week ${w + 1}`,
      );
    }
    assert.ok(moved > 10, 'contacts move between stages over the weeks');
    const whole = new Map<string, number>();
    for (const e of events) if (e.type === 'conversion' && e.ts >= bounds[0]! && e.ts < bounds.at(-1)!) whole.set(e.unit, (whole.get(e.unit) ?? 0) + 1);
    const repeat = [...whole.values()].filter((n) => n >= 2).length;
    assert.ok(repeat > 0 && repeat < whole.size);
    assert.deepEqual(res.body.repurchase, {
      from: new Date(bounds[0]!).toISOString(),
      to: new Date(bounds.at(-1)!).toISOString(),
      buyers: whole.size,
      repeat_buyers: repeat,
      rate: repeat / whole.size,
    });
  });

  it("cuts weeks at Monday midnight of a DST zone's clock and counts its days on that clock", async () => {
    const zone = 'America/New_York';
    const res = await get(`/v1/lifecycle?weeks=8&tz=${encodeURIComponent(zone)}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.timezone, zone);
    const wall = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const lengths = new Set<number>();
    for (const week of res.body.weeks) {
      const [start, end] = [Date.parse(week.start), Date.parse(week.end)];
      assert.equal(wall.format(start), 'Mon 00:00');
      assert.equal(wall.format(end), 'Mon 00:00');
      lengths.add((end - start) / 3_600_000);
      assert.deepEqual(week.stages, sizesOf([...expectedAt(end, DEFAULTS, nyDays).values()]), `sizes at ${week.end}`);
    }
    // A week holding a clock change is an hour shorter or longer; which weeks do depends on the date the test runs.
    const offset = (ms: number) => new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' }).format(ms).split(' ').at(-1);
    const crosses = offset(Date.parse(res.body.weeks[0].start)) !== offset(Date.parse(res.body.weeks.at(-1).end));
    // Outside a clock change every week is 168 hours; across one, one week is 167 or 169.
    const odd = [...lengths].filter((h) => h !== 168);
    assert.ok(lengths.has(168) && odd.every((h) => h === 167 || h === 169), [...lengths].join());
    assert.equal(odd.length, crosses ? 1 : 0);
  });

  it('counts the contacts a campaign re-activated among those dormant or churned at delivery', async () => {
    const res = await get('/v1/lifecycle/reactivation?campaign_id=react&within_days=7');
    assert.equal(res.status, 200);
    const byStage = new Map(STAGES.map((s) => [s, { delivered: 0, reactivated: 0 }]));
    for (const c of contacts) {
      const deliveries = events.filter((e) => e.unit === c.user_id && e.type === 'delivery' && e.campaign === 'react' && e.status === 'delivered');
      if (!deliveries.length) continue;
      const at = Math.min(...deliveries.map((e) => e.ts));
      const stage = stageAt(c, events, at, DEFAULTS);
      if (!stage) continue;
      const back = events.some((e) => e.unit === c.user_id && ['click', 'conversion', 'reply'].includes(e.type) && e.ts > at && e.ts <= at + 7 * DAY);
      byStage.get(stage)!.delivered++;
      if (back) byStage.get(stage)!.reactivated++;
    }
    const target = ['dormant', 'churned'].map((s) => byStage.get(s as Stage)!);
    const targeted = target[0]!.delivered + target[1]!.delivered;
    const reactivated = target[0]!.reactivated + target[1]!.reactivated;
    assert.ok(targeted > 5 && reactivated > 0 && reactivated < targeted, `a meaningful sample (${reactivated}/${targeted})`);
    assert.deepEqual(res.body, {
      campaign_id: 'react',
      within_days: 7,
      delivered: [...byStage.values()].reduce((n, s) => n + s.delivered, 0),
      targeted,
      reactivated,
      rate: reactivated / targeted,
      by_stage: STAGES.map((stage) => {
        const s = byStage.get(stage)!;
        return { stage, ...s, rate: s.delivered ? s.reactivated / s.delivered : null };
      }),
    });
    const unknown = await get('/v1/lifecycle/reactivation?campaign_id=nope');
    assert.equal(unknown.body.delivered, 0);
    assert.equal(unknown.body.rate, null);
  });

  it('moves contacts between stages when the thresholds change', async () => {
    const changed: Thresholds = { new_days: 7, dormant_days: 14, churned_days: 45, purchase_window_days: 60, repeat_conversions: 2, loyal_conversions: 3 };
    const saved = await put('/v1/lifecycle/settings', changed);
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual(saved.body.settings, changed);
    assert.equal(saved.body.version, 1);
    const before = expectedAt(now, DEFAULTS);
    const afterChange = expectedAt(now, changed);
    assert.ok([...before].filter(([id, s]) => afterChange.get(id) !== s).length > 10, 'the change moves contacts');
    await assertStagesNow(changed);
    // Fields left out take the defaults again.
    const reset = await put('/v1/lifecycle/settings', {});
    assert.deepEqual(reset.body.settings, DEFAULTS);
    assert.equal(reset.body.version, 2);
    await assertStagesNow(DEFAULTS);
  });

  it("never counts another workspace's contacts or events", async () => {
    // The other workspace: the same user ids with no sign-up time and lots of recent conversions.
    const other = await get('/v1/lifecycle?weeks=1', keys.otherAdmin);
    assert.equal(other.body.now.stages.loyal, contacts.length);
    const mine = await get('/v1/lifecycle?weeks=1');
    assert.deepEqual(mine.body.now.stages, sizesOf([...expectedAt(now, DEFAULTS).values()]));
    const otherSettings = await get('/v1/lifecycle/settings', keys.otherAdmin);
    assert.equal(otherSettings.body.version, 0);
  });

  it('refuses bad input naming the field, and roles that may not', async () => {
    const cases: [string, object, string][] = [
      ['PUT', { dormant_days: 30, churned_days: 30 }, 'body.churned_days'],
      ['PUT', { repeat_conversions: 3, loyal_conversions: 3 }, 'body.loyal_conversions'],
      ['PUT', { new_days: 0 }, 'body.new_days'],
      ['PUT', { purchase_window_days: 1.5 }, 'body.purchase_window_days'],
      ['PUT', { sleepy_days: 3 }, 'body.sleepy_days'],
    ];
    for (const [, payload, field] of cases) {
      const res = await put('/v1/lifecycle/settings', payload);
      assert.equal(res.status, 400, JSON.stringify(payload));
      assert.equal(res.body.field, field, JSON.stringify(res.body));
    }
    for (const [url, field] of [
      ['/v1/lifecycle?weeks=0', 'querystring.weeks'],
      ['/v1/lifecycle?weeks=53', 'querystring.weeks'],
      ['/v1/lifecycle?tz=Mars/Base', 'querystring.tz'],
      ['/v1/lifecycle/reactivation', 'querystring.campaign_id'],
      ['/v1/lifecycle/reactivation?campaign_id=react&within_days=0', 'querystring.within_days'],
    ] as const) {
      const res = await get(url);
      assert.equal(res.status, 400, url);
      assert.equal(res.body.field, field, `${url}: ${JSON.stringify(res.body)}`);
    }
    for (const [rule, field] of [
      [{ lifecycle: 'sleepy' }, 'body.rule.lifecycle'],
      [{ all: [{ tag: 'x' }, { lifecycle: { in: ['dormant', 'x'] } }] }, 'body.rule.all[1].lifecycle.in[1]'],
      [{ lifecycle: { in: [] } }, 'body.rule.lifecycle.in'],
      [{ lifecycle: { is: 'new' } }, 'body.rule.lifecycle.is'],
      [{ lifecycle: 'new', extra: 1 }, 'body.rule.extra'],
    ] as const) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/segments/preview', headers: bearer(keys.marketer!), payload: { rule } });
      assert.equal(res.statusCode, 400, JSON.stringify(rule));
      assert.equal(res.json().field, field, res.body);
    }
    assert.equal((await get('/v1/lifecycle', keys.sender)).status, 403);
    assert.equal((await put('/v1/lifecycle/settings', {}, keys.analyst)).status, 403);
  });

  it('answers the report, a preview, a saved segment and smsp lifecycle over a real listener', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const call = (path: string, init: RequestInit = {}) =>
      fetch(`${address}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${keys.marketer}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
      });
    const report = await call('/v1/lifecycle?weeks=2');
    assert.equal(report.status, 200);
    const expected = sizesOf([...expectedAt(now, DEFAULTS).values()]);
    assert.deepEqual(((await report.json()) as any).now.stages, expected);
    const preview = await call('/v1/segments/preview', {
      method: 'POST',
      body: JSON.stringify({ rule: { lifecycle: { in: ['loyal', 'repeat'] } }, sample: 0 }),
    });
    assert.equal(((await preview.json()) as any).count, expected.loyal + expected.repeat);
    const segment = await call('/v1/segments', { method: 'POST', body: JSON.stringify({ name: 'dormant', rule: { lifecycle: 'dormant' } }) });
    assert.equal(segment.status, 201);
    const { id } = (await segment.json()) as any;
    const materialized = await call(`/v1/segments/${id}/materialize`, { method: 'POST', body: '{}' });
    assert.equal(materialized.status, 200, await materialized.clone().text());
    assert.equal(((await materialized.json()) as any).matched, expected.dormant);

    // smsp lifecycle through this server: asynchronous, since the server answering it runs in this process.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-lifecycle-'));
    const smsp = (args: string[]) =>
      promisify(execFile)(process.execPath, ['bin/smsp.mjs', 'lifecycle', ...args], {
        env: { ...process.env, DATA_DIR: dir, SMSP_URL: address, SMSP_API_KEY: keys.analyst },
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    try {
      const json = await smsp(['--weeks', '3', '--json']);
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout), (await get('/v1/lifecycle?weeks=3')).body);
      const text = await smsp(['--weeks', '2']);
      const lines = text.stdout.split('\n');
      assert.match(lines[1]!, /^week ending\s+new\s+churned\s+dormant\s+loyal\s+repeat\s+active\s+joined\s+changed stage\s+buyers\s+repurchase$/);
      assert.deepEqual(lines[5]!.split(/\s+/), ['now', ...STAGES.map((s) => String(expected[s]))]);
      const react = await smsp(['reactivation', 'react', '--json']);
      assert.deepEqual(JSON.parse(react.stdout), (await get('/v1/lifecycle/reactivation?campaign_id=react')).body);
      const bad = await smsp(['reactivation', 'react', '--within-days', '0']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /within_days.*\[VALIDATION_FAILED\]\n$/);
      const usage = await smsp(['frobnicate']);
      assert.equal(usage.code, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
