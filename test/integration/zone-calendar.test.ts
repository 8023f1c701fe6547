/**
 * Time in the workspace's zone, end to end: metric buckets (day and hour), alert evaluation windows and
 * look-backs, and date-only rule values, in DST zones (New York, Berlin: days of 23 h and 25 h) and in zones
 * whose hours are not UTC hours (Kolkata +05:30, Eucla +08:45). Every expected instant was computed with
 * python3's zoneinfo, e.g. datetime(2026, 3, 9, 10, tzinfo=ZoneInfo('America/New_York')).astimezone(timezone.utc).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { evaluateAllWorkspaces } from '../../analytics/alert-scheduler.ts';
import { evaluateAlerts } from '../../analytics/alerts.ts';
import { previewRule } from '../../segmentation/segments.ts';
import type { Rule } from '../../segmentation/rule-types.ts';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';
import { fixClock } from '../helpers/clock.ts';
import { evaluate, type MemContact } from '../helpers/rule-eval.ts';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

/** `n` sends at `ms` (one second apart) on a carrier, each with a receipt: the first `delivered` delivered. */
const sendsAt = (prefix: string, ms: number, n: number, delivered: number) =>
  Array.from({ length: n }, (_, i) => [
    { event_id: `${prefix}s${i}`, type: 'send', ts: ms + i * 1000, user_id: `u${i}`, carrier: 'China Unicom' },
    {
      event_id: `${prefix}d${i}`,
      type: 'delivery',
      ts: ms + i * 1000 + 500,
      user_id: `u${i}`,
      carrier: 'China Unicom',
      status: i < delivered ? 'delivered' : 'failed',
    },
  ]).flat();

describe('time in the workspace zone', () => {
  let t: TestApp;
  let base: string;
  let restoreClock: (() => void) | undefined;
  before(async () => {
    t = await startTestApp('zone_calendar');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  });
  after(async () => {
    restoreClock?.();
    await t.close();
  });

  const setZone = async (ws: string, timezone: string) => {
    const res = await t.app.inject({ method: 'PUT', url: '/v1/workspace', headers: bearer(await t.keyFor('admin', ws)), payload: { timezone } });
    assert.equal(res.statusCode, 200, res.body);
  };

  it('metric day buckets are 23 h and 25 h on DST days; hour buckets start at xx:30 (Kolkata) and xx:15 (Eucla) UTC', async () => {
    const ws = 'zc_metrics';
    const instants = [
      '2026-03-08T04:30:00Z', // Sat 7 Mar 23:30 EST
      '2026-03-08T05:30:00Z', // Sun 8 Mar 00:30 EST
      '2026-03-09T03:30:00Z', // Sun 8 Mar 23:30 EDT: still the 23-hour day
      '2026-03-09T04:30:00Z', // Mon 9 Mar 00:30 EDT
      '2026-10-25T22:30:00Z', // Berlin: Sun 25 Oct 23:30 CET, the 25-hour day
      '2026-10-25T23:30:00Z', // Berlin: Mon 26 Oct 00:30 CET
      '2026-05-01T09:20:00Z', // Kolkata 14:50; Eucla 18:05
      '2026-05-01T09:40:00Z', // Kolkata 15:10; Eucla 18:25
      '2026-05-01T10:10:00Z', // Kolkata 15:40; Eucla 18:55
    ];
    await postEvents(
      t,
      await t.keyFor('sender', ws),
      instants.map((ts, i) => ({ event_id: `m${i}`, type: 'send', ts: at(ts), user_id: 'u' })),
    );
    const analyst = await t.keyFor('analyst', ws);
    // Through a real listener: the route's own query string and answer.
    const series = async (tz: string, interval: string, from: string, to: string) => {
      const url = `${base}/v1/metrics?metric=send_success_rate&interval=${interval}&tz=${encodeURIComponent(tz)}&from=${from}&to=${to}`;
      const res = await fetch(url, { headers: bearer(analyst) });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { series: { bucket: string; local: string; denominator: number }[] };
      return body.series.map((p) => [p.bucket, p.local, p.denominator]);
    };
    assert.deepEqual(await series('America/New_York', 'day', '2026-03-07T12:00:00Z', '2026-03-10T00:00:00Z'), [
      ['2026-03-07T05:00:00.000Z', '2026-03-07 00:00', 1],
      ['2026-03-08T05:00:00.000Z', '2026-03-08 00:00', 2],
      ['2026-03-09T04:00:00.000Z', '2026-03-09 00:00', 1],
    ]);
    assert.deepEqual(await series('Europe/Berlin', 'day', '2026-10-25T00:00:00Z', '2026-10-27T00:00:00Z'), [
      ['2026-10-24T22:00:00.000Z', '2026-10-25 00:00', 1],
      ['2026-10-25T23:00:00.000Z', '2026-10-26 00:00', 1],
    ]);
    assert.deepEqual(await series('Asia/Kolkata', 'hour', '2026-05-01T08:00:00Z', '2026-05-01T12:00:00Z'), [
      ['2026-05-01T08:30:00.000Z', '2026-05-01 14:00', 1],
      ['2026-05-01T09:30:00.000Z', '2026-05-01 15:00', 2],
    ]);
    assert.deepEqual(await series('Australia/Eucla', 'hour', '2026-05-01T08:00:00Z', '2026-05-01T12:00:00Z'), [
      ['2026-05-01T09:15:00.000Z', '2026-05-01 18:00', 3],
    ]);
  });

  it('the anomaly look-back is the same local hour of past weeks across a DST change (New York spring, Berlin autumn)', async () => {
    const cases = [
      // zone, the judged hour (Monday 10:00 local after the change), the same local hour 1..4 weeks before (before the change)
      {
        ws: 'zc_look_ny',
        tz: 'America/New_York',
        judged: '2026-03-09T14:00:00Z',
        past: ['2026-03-02T15:00:00Z', '2026-02-23T15:00:00Z', '2026-02-16T15:00:00Z', '2026-02-09T15:00:00Z'],
      },
      {
        ws: 'zc_look_berlin',
        tz: 'Europe/Berlin',
        judged: '2026-10-26T09:00:00Z',
        past: ['2026-10-19T08:00:00Z', '2026-10-12T08:00:00Z', '2026-10-05T08:00:00Z', '2026-09-28T08:00:00Z'],
      },
    ];
    for (const c of cases) {
      // Only the rule under test: the built-in defaults are deleted first.
      // Past weeks deliver 57 of 60; the judged hour 30 of 60. A fixed 7×24 h step back lands an hour off, on no data.
      const events = [...c.past.flatMap((p, w) => sendsAt(`w${w}`, at(p), 60, 57)), ...sendsAt('now', at(c.judged), 60, 30)];
      await postEvents(t, await t.keyFor('sender', c.ws), events);
      const admin = await t.keyFor('admin', c.ws);
      for (const r of (await t.app.inject({ method: 'GET', url: '/v1/alert-rules', headers: bearer(admin) })).json().rules)
        await t.app.inject({ method: 'DELETE', url: `/v1/alert-rules/${r.id}`, headers: bearer(admin) });
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/alert-rules',
        headers: bearer(admin),
        payload: { name: 'drop', metric: 'delivery_rate', kind: 'anomaly', interval: 'hour', min_volume: 50, sensitivity: 4, weeks: 4, cooldown_hours: 0 },
      });
      assert.equal(created.statusCode, 201, created.body);
      const judged = at(c.judged);
      const fired = await evaluateAlerts(t.wh, c.ws, { fromMs: judged - 2 * HOUR, toMs: judged + 2 * HOUR, tz: c.tz, nowMs: judged + 3 * HOUR });
      assert.deepEqual(
        fired.map((a) => [a.spec.bucket, a.spec.expected_low !== null]),
        [[new Date(judged).toISOString(), true]],
        c.tz,
      );
      assert.ok(fired[0]!.spec.observed === 0.5);
    }
  });

  it('evaluation windows end at the zone hour: the last complete Kolkata hour (xx:30 UTC) through the API, an Eucla hour (xx:15) on the schedule', async () => {
    // Kolkata: a delivery collapse 15:00-16:00 IST = 09:30-10:30 UTC; at 10:40 UTC that hour is complete.
    await setZone('zc_kolkata', 'Asia/Kolkata');
    await postEvents(t, await t.keyFor('sender', 'zc_kolkata'), sendsAt('k', at('2026-05-01T09:30:00Z'), 150, 75));
    restoreClock = fixClock(at('2026-05-01T10:40:00Z'));
    const res = await fetch(`${base}/v1/alerts/evaluate`, {
      method: 'POST',
      headers: { ...bearer(await t.keyFor('admin', 'zc_kolkata')), 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { evaluated: { from: string; to: string }; fired: { spec: { metric: string; bucket: string; fired_at: string } }[] };
    assert.deepEqual(body.evaluated, { from: '2026-05-01T09:30:00.000Z', to: '2026-05-01T10:30:00.000Z' });
    assert.deepEqual(
      body.fired.map((a) => [a.spec.metric, a.spec.bucket, a.spec.fired_at]),
      [['delivery_rate', '2026-05-01T09:30:00.000Z', '2026-05-01T10:40:00.000Z']],
      'fired at the fake clock',
    );
    // Eucla: 18:00-19:00 local = 09:15-10:15 UTC; the schedule at 10:20 UTC judges it (a UTC cut would wait until 11:00).
    await setZone('zc_eucla', 'Australia/Eucla');
    await postEvents(t, await t.keyFor('sender', 'zc_eucla'), sendsAt('e', at('2026-05-01T09:15:00Z'), 150, 75));
    await t.app.inject({ method: 'GET', url: '/v1/alert-rules', headers: bearer(await t.keyFor('analyst', 'zc_eucla')) });
    const failures: unknown[] = [];
    await evaluateAllWorkspaces(t.wh, at('2026-05-01T10:20:00Z'), t.config.webhooks, (e) => failures.push(e));
    assert.deepEqual(failures, []);
    const alerts = (await t.app.inject({ method: 'GET', url: '/v1/alerts', headers: bearer(await t.keyFor('analyst', 'zc_eucla')) })).json().alerts;
    assert.deepEqual(
      alerts.map((a: { spec: { metric: string; bucket: string } }) => [a.spec.metric, a.spec.bucket]),
      [['delivery_rate', '2026-05-01T09:15:00.000Z']],
    );
  });

  it('a date-only rule value is midnight in the workspace zone; within_days counts calendar days there', async () => {
    const ws = 'zc_rules';
    const signups: Record<string, string> = {
      ny_before: '2026-05-01T03:30:00Z', // 30 Apr 23:30 EDT
      ny_after: '2026-05-01T04:30:00Z', // 1 May 00:30 EDT
      kol_before: '2026-04-30T18:00:00Z', // 30 Apr 23:30 IST
      kol_after: '2026-04-30T19:00:00Z', // 1 May 00:30 IST
      dst_edge: '2026-03-07T14:30:00Z', // Sat 7 Mar 09:30 EST: 47.5 h before Mon 9 Mar 10:00 EDT, but before Sat 10:00
    };
    const admin = await t.keyFor('admin', ws);
    const posted = await t.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: bearer(admin),
      payload: Object.entries(signups).map(([user_id, s], i) => ({ user_id, phone: `1370000${String(i).padStart(4, '0')}`, signup_at: at(s) })),
    });
    assert.ok(posted.statusCode < 300, posted.body);
    const contacts: MemContact[] = Object.entries(signups).map(([user_id, s]) => ({
      ...{ user_id, phone: '', name: '', gender: '', city: '', region: '', consent: 'opted_in', vip_level: 0, birthday: null, attributes: {} },
      signup_at: at(s),
    }));
    const monday = at('2026-03-09T14:00:00Z'); // Mon 9 Mar 10:00 EDT
    const june = at('2026-06-01T00:00:00Z');
    const cases: [string, number, Rule, string[]][] = [
      ['America/New_York', june, { attr: 'signup_at', op: 'lt', value: '2026-05-01' }, ['dst_edge', 'kol_after', 'kol_before', 'ny_before']],
      ['Asia/Kolkata', june, { attr: 'signup_at', op: 'gte', value: '2026-05-01' }, ['kol_after', 'ny_after', 'ny_before']],
      ['Asia/Kolkata', june, { attr: 'signup_at', op: 'between', value: ['2026-04-30', '2026-05-01'] }, ['kol_before']],
      // Two calendar days before Monday 10:00 EDT is Saturday 10:00 EST (15:00 UTC), not 14:00 UTC.
      ['America/New_York', monday, { attr: 'signup_at', op: 'within_days', value: 2 }, []],
      ['America/New_York', monday, { attr: 'signup_at', op: 'within_days', value: 3 }, ['dst_edge']],
    ];
    for (const [tz, nowMs, rule, want] of cases) {
      const got = (await previewRule(t.wh, ws, rule, { nowMs, timezone: tz, sample: 100 })).sample.map((r) => r.user_id).sort();
      assert.deepEqual(got, want, `${tz} ${JSON.stringify(rule)}`);
      // The reference evaluator (its own midnight search and offset arithmetic) agrees.
      const reference = contacts.filter((c) => evaluate(rule, c, { contacts, tags: [], events: [] }, nowMs, tz)).map((c) => c.user_id);
      assert.deepEqual(reference.sort(), want, `evaluator ${tz} ${JSON.stringify(rule)}`);
    }
  });
});
