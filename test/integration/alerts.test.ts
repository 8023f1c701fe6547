import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { evaluateAllWorkspaces } from '../../analytics/alert-scheduler.ts';
import { deliverAlertWebhook } from '../../analytics/alert-webhooks.ts';
import { evaluateAlerts, rulesStore } from '../../analytics/alerts.ts';
import { CARRIERS, INCIDENT, generateContacts, generateEvents, type DemoOptions } from '../../demo/generator.ts';
import { seededRandom } from '../../demo/random.ts';
import { seedDemo } from '../../demo/seed.ts';
import type { EventInput } from '../../ingest/event-schema.ts';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const HOUR = 3600_000;
const WEEK = 7 * 24 * HOUR;
const demo: DemoOptions = { contacts: 3000, weeks: 4, campaignsPerWeek: 3, seed: 42, endMs: Date.parse(`${FIXTURE_YEAR}-11-20T00:00:00Z`), batchSize: 5000 };

describe('alerts', () => {
  let t: TestApp;
  before(async () => {
    // The test receivers listen on this machine: the operator's allowances for that.
    t = await startTestApp('alerts', { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8' });
  });
  after(() => t.close());

  it('the default rules fire exactly the planted China Telecom delivery collapse over the demo weeks, and nothing else', async () => {
    await seedDemo(t.wh, 'al', demo);
    const events = [...generateEvents(demo, generateContacts(demo))].flat();
    const analyst = await t.keyFor('analyst', 'al');
    const rules = (await t.app.inject({ method: 'GET', url: '/v1/alert-rules', headers: bearer(analyst) })).json().rules;
    assert.equal(rules.length, 5, 'the seed articles’ five levels are created for a new workspace');
    const from = demo.endMs - demo.weeks * WEEK;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/alerts/evaluate',
      headers: bearer(analyst),
      payload: { from: new Date(from).toISOString(), to: new Date(demo.endMs).toISOString() },
    });
    assert.equal(res.statusCode, 200, res.body);
    const fired = res.json().fired.map((a: { spec: { metric: string; breakdown_value?: string; bucket: string; observed: number } }) => a.spec);

    // Independently: hourly delivery rate per carrier with ≥ 100 accepted sends, below 90 %.
    const hourly = new Map<string, { accepted: number; delivered: number }>();
    for (const e of events as EventInput[]) {
      const ms = e.ts as number;
      if (ms < from || ms >= demo.endMs) continue;
      const key = `${Math.floor(ms / HOUR) * HOUR}|${e.carrier}`;
      const x = hourly.get(key) ?? { accepted: 0, delivered: 0 };
      if (e.type === 'send' && e.status === 'accepted') x.accepted++;
      if (e.type === 'delivery' && e.status === 'delivered') x.delivered++;
      hourly.set(key, x);
    }
    const expected = [...hourly].filter(([, x]) => x.accepted >= 100 && x.delivered / x.accepted < 0.9).map(([k]) => k.split('|'));
    assert.ok(expected.length >= 1, 'the incident is visible in the generated data');
    assert.ok(
      expected.every(([, carrier]) => carrier === INCIDENT.carrier),
      'only the incident carrier falls below 90 %',
    );
    assert.deepEqual(
      fired.map((a: { metric: string; breakdown_value?: string; bucket: string }) => [a.metric, Date.parse(a.bucket), a.breakdown_value]),
      [['delivery_rate', Number(expected[0]![0]), INCIDENT.carrier]],
      'one alert (the cooldown folds the incident’s later hours into it), none elsewhere',
    );
    assert.ok(CARRIERS.some((c) => c.name === INCIDENT.carrier));

    // Evaluating again fires nothing new (cooldown); alerts can be acknowledged.
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/alerts/evaluate',
      headers: bearer(analyst),
      payload: { from: new Date(from).toISOString(), to: new Date(demo.endMs).toISOString() },
    });
    assert.deepEqual(again.json().fired, []);
    const open = (await t.app.inject({ method: 'GET', url: '/v1/alerts?status=open', headers: bearer(analyst) })).json().alerts;
    assert.equal(open.length, 1);
    assert.equal((await t.app.inject({ method: 'POST', url: `/v1/alerts/${open[0].id}/ack`, headers: bearer(analyst) })).json().spec.status, 'acked');
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/alerts?status=open', headers: bearer(analyst) })).json().alerts.length, 0);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/alerts?status=acked', headers: bearer(analyst) })).json().alerts.length, 1);
  });

  it('the anomaly detector catches a drop against the same hour of past weeks; false alarms over normal weeks stay under 2 %', async () => {
    const ws = 'al_anomaly';
    const rnd = seededRandom(77);
    // The first Monday of September's second week in the fixture year.
    const september7 = Date.UTC(FIXTURE_YEAR, 8, 7);
    const start = september7 + ((8 - new Date(september7).getUTCDay()) % 7) * 24 * HOUR;
    const weeks = 6;
    const drop = start + 5 * WEEK + 3 * 24 * HOUR + 14 * HOUR;
    const events: object[] = [];
    for (let h = 0; h < weeks * 168; h++) {
      const bucket = start + h * HOUR;
      const rate = bucket === drop ? 0.7 : 0.95;
      for (let i = 0; i < 60; i++) {
        const id = `${h}_${i}`;
        const ts = bucket + i * 50_000 + 1;
        events.push({ event_id: `s${id}`, type: 'send', ts, user_id: `u${i}` });
        events.push({ event_id: `d${id}`, type: 'delivery', ts: ts + 1000, user_id: `u${i}`, status: rnd.chance(rate) ? 'delivered' : 'failed' });
      }
    }
    await postEvents(t, await t.keyFor('sender', ws), events);
    const admin = await t.keyFor('admin', ws);
    await t.app.inject({ method: 'GET', url: '/v1/alert-rules', headers: bearer(admin) }); // creates the defaults
    for (const r of (await t.app.inject({ method: 'GET', url: '/v1/alert-rules', headers: bearer(admin) })).json().rules) {
      await t.app.inject({ method: 'DELETE', url: `/v1/alert-rules/${r.id}`, headers: bearer(admin) });
    }
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/alert-rules',
      headers: bearer(admin),
      payload: {
        name: 'delivery drop',
        metric: 'delivery_rate',
        kind: 'anomaly',
        interval: 'hour',
        min_volume: 50,
        sensitivity: 4,
        weeks: 4,
        cooldown_hours: 0,
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const fired = await evaluateAlerts(t.wh, ws, { fromMs: start + 4 * WEEK, toMs: start + weeks * WEEK, tz: 'UTC', nowMs: Date.now() });
    const buckets = fired.map((a) => Date.parse(a.spec.bucket));
    assert.ok(buckets.includes(drop), 'the planted drop fires');
    const falseAlarms = buckets.filter((b) => b !== drop).length;
    const judged = 2 * 168;
    console.log(`anomaly detector: ${falseAlarms} false alarms in ${judged} normal hourly buckets (${((100 * falseAlarms) / judged).toFixed(2)} %)`);
    assert.ok(falseAlarms / judged < 0.02, `${falseAlarms} false alarms`);
    assert.equal(
      (
        await t.app.inject({ method: 'POST', url: '/v1/alert-rules', headers: bearer(admin), payload: { name: 'x', metric: 'click_rate', kind: 'threshold' } })
      ).json().field,
      'body.threshold',
    );
  });

  it('the schedule evaluates every workspace with rules, and repeating it fires nothing twice', async () => {
    const errors: unknown[] = [];
    const now = Date.parse(`${FIXTURE_YEAR}-11-20T00:30:00Z`);
    // A new workspace with one bad hour two days ago: half of 150 deliveries fail.
    const hour = Date.parse(`${FIXTURE_YEAR}-11-18T00:00:00Z`);
    const events = Array.from({ length: 150 }, (_, i) => [
      { event_id: `ss${i}`, type: 'send', ts: hour + i * 1000, user_id: `u${i}`, carrier: 'China Unicom' },
      { event_id: `sd${i}`, type: 'delivery', ts: hour + i * 1000 + 500, user_id: `u${i}`, carrier: 'China Unicom', status: i % 2 ? 'delivered' : 'failed' },
    ]).flat();
    await postEvents(t, await t.keyFor('sender', 'al_sched'), events);
    await t.app.inject({ method: 'GET', url: '/v1/alert-rules', headers: bearer(await t.keyFor('analyst', 'al_sched')) });
    await evaluateAllWorkspaces(t.wh, now, t.config.webhooks, (e) => errors.push(e));
    const alerts = (await t.app.inject({ method: 'GET', url: '/v1/alerts', headers: bearer(await t.keyFor('analyst', 'al_sched')) })).json().alerts;
    assert.deepEqual(
      alerts.map((a: { spec: { metric: string; breakdown_value: string; bucket: string } }) => [a.spec.metric, a.spec.breakdown_value, a.spec.bucket]),
      [['delivery_rate', 'China Unicom', new Date(hour).toISOString()]],
    );
    assert.equal(await evaluateAllWorkspaces(t.wh, now, t.config.webhooks, (e) => errors.push(e)), 0, 'a second pass fires nothing again');
    assert.deepEqual(errors, []);
  });

  it('a stored rule that cannot be read is reported and skipped; the other rules still fire', async () => {
    const ws = 'al_broken';
    const hour = Date.parse(`${FIXTURE_YEAR}-11-18T00:00:00Z`);
    const events = Array.from({ length: 150 }, (_, i) => [
      { event_id: `bs${i}`, type: 'send', ts: hour + i * 1000, user_id: `u${i}`, carrier: 'China Unicom' },
      { event_id: `bd${i}`, type: 'delivery', ts: hour + i * 1000 + 500, user_id: `u${i}`, carrier: 'China Unicom', status: i % 2 ? 'delivered' : 'failed' },
    ]).flat();
    await postEvents(t, await t.keyFor('sender', ws), events);
    await t.app.inject({ method: 'GET', url: '/v1/alert-rules', headers: bearer(await t.keyFor('analyst', ws)) });
    // Written behind the API's back, as an older version might have stored it: a number compared with text.
    const broken = await rulesStore(t.wh).save(ws, {
      name: 'broken',
      spec: {
        metric: 'delivery_rate',
        kind: 'threshold',
        interval: 'hour',
        filters: [{ prop: 'revenue', op: 'gt', value: 'not a number' }],
        threshold: { below: 0.99 },
        min_volume: 1,
        sensitivity: 3,
        weeks: 4,
        cooldown_hours: 6,
        enabled: true,
      },
      changedBy: 'test',
    });
    const failed: string[] = [];
    const fired = await evaluateAlerts(t.wh, ws, { fromMs: hour, toMs: hour + 3600_000, tz: 'UTC', nowMs: Date.now(), onRuleError: (id) => failed.push(id) });
    assert.deepEqual(failed, [broken.id]);
    assert.deepEqual(
      fired.map((a) => [a.spec.metric, a.spec.breakdown_value]),
      [['delivery_rate', 'China Unicom']],
    );
  });

  it('webhooks are retried until the receiver takes them, without blocking evaluation', async () => {
    let calls = 0;
    const received: unknown[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        calls++;
        if (calls < 3) {
          res.statusCode = 503;
          return res.end();
        }
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    try {
      const ws = 'al';
      const [alert] = (await t.app.inject({ method: 'GET', url: '/v1/alerts', headers: bearer(await t.keyFor('analyst', ws)) })).json().alerts;
      await deliverAlertWebhook(t.wh, ws, { url, secret: 'whsec_test' }, alert, t.config.webhooks, { attempts: 4, baseDelayMs: 20 });
      assert.equal(calls, 3);
      assert.equal((received[0] as { metric: string }).metric, 'delivery_rate');
      const after = (await t.app.inject({ method: 'GET', url: '/v1/alerts', headers: bearer(await t.keyFor('analyst', ws)) })).json().alerts[0];
      assert.deepEqual(after.spec.webhook, { attempts: 3, delivered: true, status: 200 });
      calls = -100; // never succeeds now
      await deliverAlertWebhook(t.wh, ws, { url, secret: 'whsec_test' }, alert, t.config.webhooks, { attempts: 2, baseDelayMs: 10 });
      assert.deepEqual(
        (await t.app.inject({ method: 'GET', url: '/v1/alerts', headers: bearer(await t.keyFor('analyst', ws)) })).json().alerts[0].spec.webhook,
        { attempts: 2, delivered: false, status: 503, error: 'HTTP 503' },
      );
    } finally {
      server.close();
    }
  });
});
