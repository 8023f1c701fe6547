/**
 * Delivery diagnosis by template, through a real listener: generated events where one registered template's
 * delivery collapses (with error codes) on one day while another stays flat, a small template collapses below
 * the minimum sends, an unregistered template id is used, and another workspace sends under the same id.
 * The routes' figures equal a tally computed here from the generated events; the template_delivery_drop
 * rule fires once, for the collapsed template only, names it and carries the findings on its text, and its
 * webhook receives them.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fetchCaller, type CallAnswer, type Caller } from '../helpers/api-seed.ts';
import { startTestApp } from '../helpers/app.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const D0 = Date.UTC(FIXTURE_YEAR, 9, 1);
const iso = (day: number) => new Date(D0 + day * DAY).toISOString();
const CARRIERS = ['China Mobile', 'China Unicom', 'China Telecom'];

interface Message {
  ws: string;
  template: string;
  carrier: string;
  day: number;
  /** null: delivered; else the failed receipt's error code. */
  failure: string | null;
}

/** `count` messages of one template on one day, spread over its hours and the carriers; `fails(i)` decides each receipt. */
function messages(ws: string, template: string, day: number, count: number, fails: (i: number) => string | null): Message[] {
  return Array.from({ length: count }, (_, i) => ({ ws, template, carrier: CARRIERS[i % 3]!, day, failure: fails(i) }));
}

/** The send and the receipt of each message, as a sending system reports them. */
const eventsOf = (list: Message[]) =>
  list.flatMap((m, n) => {
    const ts = D0 + m.day * DAY + (n % 24) * HOUR + (n % 1000) * 1000;
    const common = { user_id: `u${n % 500}`, template_id: m.template, carrier: m.carrier, campaign_id: 'c1' };
    return [
      { ...common, event_id: `${m.ws}-${n}-s`, type: 'send', ts },
      {
        ...common,
        event_id: `${m.ws}-${n}-d`,
        type: 'delivery',
        ts: ts + 5000,
        status: m.failure === null ? 'delivered' : 'failed',
        error_code: m.failure ?? '',
      },
    ];
  });

/** The figures the routes should answer, tallied here from the generated messages. */
function tally(list: Message[]) {
  const failed = list.filter((m) => m.failure !== null);
  const codes = new Map<string, number>();
  for (const m of failed) codes.set(m.failure!, (codes.get(m.failure!) ?? 0) + 1);
  const error_codes = [...codes]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, 5)
    .map(([code, count]) => ({ code, count, share: count / failed.length }));
  const sends = list.length;
  return { sends, delivered: sends - failed.length, failed: failed.length, delivery_rate: sends ? (sends - failed.length) / sends : null, error_codes };
}
const bySends =
  <T extends { sends: number }>(key: (x: T) => string) =>
  (a: T, b: T) =>
    b.sends - a.sends || key(a).localeCompare(key(b));
const perCarrier = (list: Message[]) =>
  CARRIERS.filter((c) => list.some((m) => m.carrier === c))
    .map((carrier) => ({ carrier, ...tally(list.filter((m) => m.carrier === carrier)) }))
    .sort(bySends((c) => c.carrier));

const t = await startTestApp('template_delivery', { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8' });
let call: Caller;
const key = { analyst: '', marketer: '', sender: '', otherAnalyst: '', otherSender: '' };
const ids = { bad: '', good: '' };
const all: Message[] = [];
const received: string[] = [];
const hook = http.createServer((req, res) => {
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (raw += c));
  req.on('end', () => {
    received.push(raw);
    res.end('ok');
  });
});

const ok = async (expected: number, method: string, url: string, k: string, body?: unknown): Promise<CallAnswer> => {
  const res = await call(method, url, k, body);
  assert.equal(res.status, expected, `${method} ${url}: ${res.text.slice(0, 500)}`);
  return res;
};

const BAD_TEXT = '全网销量第一，贷款秒批，今日下单立减50元';

describe('delivery by template, and the alert that names the template', () => {
  before(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    call = fetchCaller(`http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`);
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    key.analyst = await t.keyFor('analyst', 'td_a');
    key.marketer = await t.keyFor('marketer', 'td_a');
    key.sender = await t.keyFor('sender', 'td_a');
    key.otherAnalyst = await t.keyFor('analyst', 'td_b');
    key.otherSender = await t.keyFor('sender', 'td_b');
    // A planted exaggeration (第一), a sensitive finance word (贷款) and no unsubscribe hint.
    ids.bad = (await ok(201, 'POST', '/v1/templates', key.marketer, { name: '双十一大促', text: BAD_TEXT, signature: '商城', kind: 'promotion' })).json.id;
    ids.good = (await ok(201, 'POST', '/v1/templates', key.marketer, { name: '发货通知', text: '【商城】您的订单已发货', kind: 'service' })).json.id;

    const usual = (i: number) => (i % 25 === 0 ? 'E:TIMEOUT' : null); // 96 % delivered
    const collapsed = (i: number) => (i % 10 < 2 ? 'MK:0019' : i % 10 === 2 ? 'UNDELIV' : usual(i)); // content filter
    for (let day = 0; day < 8; day++) {
      all.push(...messages('td_a', ids.bad, day, 200, day === 7 ? collapsed : usual));
      all.push(...messages('td_a', ids.good, day, 200, usual));
      // Below the rule's 100 sends a day: its collapse is not judged.
      all.push(...messages('td_a', 'tpl_small', day, 60, day === 7 ? () => 'MK:0019' : usual));
      all.push(...messages('td_a', 'tpl_ghost', day, 150, usual));
    }
    // Another workspace sends under the same template id, every receipt failed: never counted in td_a.
    const other = messages('td_b', ids.bad, 7, 300, () => 'OTHER_WS');
    for (const [k, list] of [
      [key.sender, all],
      [key.otherSender, other],
    ] as const) {
      const events = eventsOf(list);
      for (let i = 0; i < events.length; i += 5000) assert.deepEqual((await ok(202, 'POST', '/v1/events', k, events.slice(i, i + 5000))).json.rejected, []);
    }
  });
  after(async () => {
    hook.closeAllConnections();
    await new Promise<void>((r) => hook.close(() => r()));
    await t.close();
  });

  it("answers one template's delivery per carrier equal to a tally of the generated events, with its name, version and findings", async () => {
    const res = await ok(200, 'GET', `/v1/templates/${ids.bad}/delivery?from=${iso(7)}&to=${iso(8)}`, key.analyst);
    const day7 = all.filter((m) => m.template === ids.bad && m.day === 7);
    const registered = (await ok(200, 'GET', `/v1/templates/${ids.bad}`, key.analyst)).json;
    assert.deepEqual(res.json, {
      from: iso(7),
      to: iso(8),
      template_id: ids.bad,
      name: '双十一大促',
      version: 1,
      in_registry: true,
      ...tally(day7),
      carriers: perCarrier(day7),
      findings: registered.check.findings,
    });
    // 200 messages: 40 MK:0019, 20 UNDELIV, and the usual E:TIMEOUT on i % 25 = 0 outside those (i = 25, 75, ...: 4).
    assert.deepEqual(
      res.json.error_codes.map((c: { code: string; count: number }) => [c.code, c.count]),
      [
        ['MK:0019', 40],
        ['UNDELIV', 20],
        ['E:TIMEOUT', 4],
      ],
    );
    assert.equal(res.json.delivery_rate, 136 / 200);
  });

  it('lists every template of the range (unregistered ids shown as such), narrows to a carrier, and cuts at the limit', async () => {
    const res = await ok(200, 'GET', `/v1/delivery/by-template?from=${iso(0)}&to=${iso(8)}`, key.analyst);
    const names: Record<string, string> = { [ids.bad]: '双十一大促', [ids.good]: '发货通知' };
    const expected = [ids.bad, ids.good, 'tpl_ghost', 'tpl_small']
      .map((id) => {
        const list = all.filter((m) => m.template === id);
        const known = id in names;
        return { template_id: id, name: names[id] ?? null, version: known ? 1 : null, in_registry: known, ...tally(list), carriers: perCarrier(list) };
      })
      .sort(bySends((x) => x.template_id));
    assert.deepEqual(res.json, { from: iso(0), to: iso(8), templates: expected, truncated: false });

    const telecom = await ok(200, 'GET', `/v1/delivery/by-template?from=${iso(7)}&to=${iso(8)}&carrier=${encodeURIComponent('China Telecom')}`, key.analyst);
    const bad = telecom.json.templates.find((x: { template_id: string }) => x.template_id === ids.bad);
    const badTelecom = all.filter((m) => m.template === ids.bad && m.day === 7 && m.carrier === 'China Telecom');
    assert.equal(telecom.json.carrier, 'China Telecom');
    assert.deepEqual(
      { ...bad, carriers: bad.carriers },
      { template_id: ids.bad, name: '双十一大促', version: 1, in_registry: true, ...tally(badTelecom), carriers: perCarrier(badTelecom) },
    );

    const cut = await ok(200, 'GET', `/v1/delivery/by-template?from=${iso(0)}&to=${iso(8)}&limit=2`, key.analyst);
    assert.deepEqual([cut.json.templates.length, cut.json.truncated], [2, true]);
  });

  it("keeps workspaces apart: td_b sees only its own events under the same id, and another workspace's template answers like a missing one", async () => {
    const res = await ok(200, 'GET', `/v1/templates/${ids.bad}/delivery?from=${iso(7)}&to=${iso(8)}`, key.otherAnalyst);
    assert.deepEqual([res.json.name, res.json.in_registry, res.json.sends, res.json.delivered, res.json.findings], [null, false, 300, 0, []]);
    assert.deepEqual(res.json.error_codes, [{ code: 'OTHER_WS', count: 300, share: 1 }]);
    const theirs = await ok(404, 'GET', `/v1/templates/${ids.good}/delivery?from=${iso(0)}&to=${iso(8)}`, key.otherAnalyst);
    const missing = await ok(404, 'GET', `/v1/templates/no_such_template/delivery?from=${iso(0)}&to=${iso(8)}`, key.otherAnalyst);
    assert.equal(theirs.json.code, missing.json.code);
  });

  it('refuses bad requests naming the field, and roles that may not read', async () => {
    const bad = async (url: string, field: string) => assert.equal((await ok(400, 'GET', url, key.analyst)).json.field, field);
    await bad(`/v1/delivery/by-template?from=${iso(1)}&to=${iso(0)}`, 'querystring.to');
    await bad(`/v1/delivery/by-template?from=${iso(0)}&to=${iso(1)}&limit=0`, 'querystring.limit');
    await bad(`/v1/delivery/by-template?from=${iso(0)}`, 'querystring.to');
    await bad(`/v1/templates/${ids.bad}/delivery?from=yesterday&to=${iso(1)}`, 'querystring.from');
    await ok(403, 'GET', `/v1/delivery/by-template?from=${iso(0)}&to=${iso(1)}`, key.sender);
    const rule = { name: 'drops', metric: 'delivery_rate', kind: 'template_delivery_drop' };
    const refused = async (body: object, field: string) => assert.equal((await ok(400, 'POST', '/v1/alert-rules', key.analyst, body)).json.field, field);
    await refused({ ...rule, metric: 'click_rate' }, 'body.metric');
    await refused({ ...rule, breakdown: 'carrier' }, 'body.breakdown');
    await refused({ ...rule, max_drop: 1 }, 'body.max_drop');
    await refused({ name: 'x', metric: 'delivery_rate', kind: 'threshold', threshold: { below: 0.9 }, baseline_days: 3 }, 'body.baseline_days');
  });

  it('fires once, for the collapsed template only, naming it with its rate against its baseline, error codes and findings; the webhook gets it', async () => {
    const port = (hook.address() as { port: number }).port;
    const created = await ok(201, 'POST', '/v1/alert-rules', key.analyst, {
      ...{ name: 'template drops', metric: 'delivery_rate', kind: 'template_delivery_drop', interval: 'day', min_volume: 100 },
      webhook_url: `http://127.0.0.1:${port}/hook`,
    });
    assert.deepEqual([created.json.spec.breakdown, created.json.spec.baseline_days, created.json.spec.max_drop], ['template_id', 7, 0.1]);
    const range = { from: iso(1), to: iso(8) };
    const evaluated = await ok(200, 'POST', '/v1/alerts/evaluate?tz=UTC', key.analyst, range);
    const fired = evaluated.json.fired.filter((a: { spec: { rule_id: string } }) => a.spec.rule_id === created.json.id);
    assert.equal(fired.length, 1, JSON.stringify(fired));
    const [alert] = fired;

    const day7 = tally(all.filter((m) => m.template === ids.bad && m.day === 7));
    const before = tally(all.filter((m) => m.template === ids.bad && m.day < 7));
    const registered = (await ok(200, 'GET', `/v1/templates/${ids.bad}`, key.analyst)).json;
    assert.equal(alert.spec.bucket, iso(7));
    assert.equal(alert.spec.breakdown_value, ids.bad);
    assert.match(alert.name, /双十一大促/);
    assert.deepEqual(alert.spec.template, {
      id: ids.bad,
      name: '双十一大促',
      version: 1,
      in_registry: true,
      delivery_rate: day7.delivery_rate,
      baseline_rate: before.delivery_rate,
      sends: 200,
      baseline_sends: 1400,
      top_error_codes: day7.error_codes,
      findings: registered.check.findings,
    });
    assert.deepEqual([alert.spec.observed, alert.spec.expected_low, alert.spec.volume], [day7.delivery_rate, before.delivery_rate! * 0.9, 200]);
    assert.deepEqual(
      alert.spec.template.findings.map((f: { code: string; severity: string }) => `${f.code}:${f.severity}`),
      ['UNSUBSCRIBE_HINT_MISSING:error', 'EXAGGERATED_CLAIM:warning', 'SENSITIVE_WORD:error', 'BILLED_PARTS:info'],
    );
    assert.match(alert.spec.template.findings[1].message_zh, /第一/);
    assert.match(alert.spec.template.findings[2].message_zh, /贷款/);

    // Read back and listed as fired; delivered to the webhook like any alert.
    assert.deepEqual((await ok(200, 'GET', `/v1/alerts/${alert.id}`, key.analyst)).json.spec.template, alert.spec.template);
    for (let i = 0; i < 200 && !received.length; i++) await new Promise((r) => setTimeout(r, 50));
    const body = JSON.parse(received[0] ?? '{}');
    assert.deepEqual([body.id, body.template?.name, body.template?.findings?.length], [alert.id, '双十一大促', 4]);

    const again = await ok(200, 'POST', '/v1/alerts/evaluate?tz=UTC', key.analyst, range);
    assert.deepEqual(
      again.json.fired.filter((a: { spec: { rule_id: string } }) => a.spec.rule_id === created.json.id),
      [],
      'a bucket fires once',
    );
  });
});
