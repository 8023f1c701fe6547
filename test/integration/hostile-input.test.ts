/**
 * Hostile and odd input through the real HTTP surface (a listener on a port, `fetch`), one test per
 * class of problem found from outside: file uploads, deep nesting, prototype names, time zones the
 * engine does not know, numbers and dates at the edges of their types, and masked personal fields.
 * Every refusal must be a 4xx with the error shape and the offending field; nothing may answer 5xx.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { buildApp, type App } from '../../api/app.ts';
import { createApiKey } from '../../access/api-keys.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, openTestWarehouse, testConfig } from '../helpers/warehouse.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
const RANGE = { from: `${FIXTURE_YEAR}-11-01T00:00:00Z`, to: `${FIXTURE_YEAR}-12-01T00:00:00Z` };

describe('hostile input through a real listener', () => {
  let wh: Warehouse;
  let app: App;
  let base: string;
  const log: string[] = [];
  const keys: Record<string, string> = {};

  before(async () => {
    wh = await openTestWarehouse('hostile_input');
    const stream = { write: (line: string) => void log.push(line) };
    app = await buildApp({ config: testConfig('hostile_input'), warehouse: wh, logger: { level: 'info', stream } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    for (const role of ['admin', 'analyst', 'marketer', 'sender'] as const) {
      keys[role] = (await createApiKey(wh, { workspace: 'hostile', role, name: role, createdBy: 'test' })).key;
    }
  });
  after(async () => {
    await app.close();
    await dropTestDatabase(wh);
  });

  async function call(method: string, path: string, role: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${keys[role]}`, 'accept-language': 'en', ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
      if (!headers['content-type']) (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await fetch(`${base}${path}`, init);
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  }

  /** A 400 with the error shape whose field starts with `field`. */
  function assertRefused(res: Awaited<ReturnType<typeof call>>, field: string) {
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.code, 'VALIDATION_FAILED', res.text);
    assert.ok(String(res.json.field).startsWith(field), `field ${res.json.field} should start with ${field}: ${res.text}`);
    assert.equal(typeof res.json.message, 'string');
  }

  it('imports TXT, CSV and XLSX files over HTTP, and refuses empty and garbage bodies with a 4xx', async () => {
    const txt = await call('POST', '/v1/contacts/import?tag=list_a', 'marketer', '13812345678\n13912345678\n', { 'content-type': 'text/plain' });
    assert.equal(txt.status, 200, txt.text);
    assert.deepEqual([txt.json.rows, txt.json.imported, txt.json.invalid.count], [2, 2, 0]);

    const csv = await call('POST', '/v1/contacts/import', 'marketer', 'phone,name,constructor,__proto__\n13700000001,张三,x,y\n', {
      'content-type': 'text/csv',
    });
    assert.equal(csv.status, 200, csv.text);
    assert.equal(csv.json.imported, 1);
    const stored = await call('GET', `/v1/contacts/${encodeURIComponent('+8613700000001')}`, 'marketer');
    assert.equal(stored.status, 200, stored.text);
    assert.equal(stored.json.name, '张三');
    // Prototype-named columns are ordinary attributes.
    assert.deepEqual(Object.entries(stored.json.attributes).sort(), [
      ['__proto__', 'y'],
      ['constructor', 'x'],
    ]);

    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('S').addRows([
      ['手机号', '姓名'],
      ['13600000001', '李四'],
      [13600000002, '王五'],
    ]);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    const x = await call('POST', '/v1/contacts/import', 'marketer', xlsx, {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    assert.equal(x.status, 200, x.text);
    assert.deepEqual([x.json.format, x.json.imported], ['xlsx', 2]);

    // An empty file imports nothing, and says so.
    const empty = await call('POST', '/v1/contacts/import', 'marketer', '', { 'content-type': 'text/plain' });
    assert.deepEqual([empty.status, empty.json.rows, empty.json.imported], [200, 0, 0]);
    for (const [body, type] of [['PK\u0003\u0004garbage', 'application/octet-stream']] as const) {
      const res = await call('POST', '/v1/contacts/import', 'marketer', body, { 'content-type': type });
      assert.ok(res.status >= 400 && res.status < 500, `${JSON.stringify(body)}: ${res.status} ${res.text}`);
      assert.equal(typeof res.json.code, 'string');
    }
    // A forced workbook format over bytes that are no workbook is refused at once (it used to wait forever).
    for (const body of ['', '13812345678\n']) {
      const forced = await call('POST', '/v1/contacts/import?format=xlsx', 'marketer', body, {
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      });
      assert.deepEqual([forced.status, forced.json.code], [400, 'IMPORT_REFUSED'], forced.text);
    }
    const json = await call('POST', '/v1/contacts/import', 'marketer', { phone: '13812345678' });
    assert.equal(json.status, 415, json.text);
  });

  it('refuses bodies nested 100,000 levels deep, naming where', async () => {
    const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const rule = await call('POST', '/v1/segments/preview', 'marketer', `{"rule":${deep(100_000)}}`);
    assertRefused(rule, 'body.rule');
    const events = await call(
      'POST',
      '/v1/events',
      'sender',
      `[{"event_id":"d1","type":"click","ts":"${FIXTURE_YEAR}-11-20T10:00:00Z","user_id":"u","properties":{"x":${deep(100_000)}}}]`,
    );
    assertRefused(events, 'body[0].properties');
    const arrays = await call('POST', '/v1/funnels', 'analyst', `{"steps":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    assertRefused(arrays, 'body.steps');
    // A sane rule still works after that.
    assert.equal((await call('POST', '/v1/segments/preview', 'marketer', { rule: { tag: 'x' } })).status, 200);
  });

  it('treats prototype names as unknown attributes or plain property keys, never as catalogue entries', async () => {
    for (const name of PROTOTYPE_NAMES) {
      assertRefused(await call('POST', '/v1/segments/preview', 'marketer', { rule: { attr: name, op: 'eq', value: 'x' } }), 'body.rule.attr');
      assertRefused(await call('POST', '/v1/segments', 'marketer', { name: 'p', rule: { attr: name, op: 'eq', value: 'x' } }), 'body.rule.attr');
      // As an event property key, the name is just a key: the queries run and count nothing.
      const where = [{ prop: name, op: 'eq', value: 'x' }];
      const preview = await call('POST', '/v1/segments/preview', 'marketer', { rule: { event: 'click', where } });
      assert.equal(preview.status, 200, preview.text);
      assert.equal(preview.json.count, 0);
      const funnel = await call('POST', '/v1/funnels', 'analyst', { steps: [{ type: 'send', where }, 'click'], window_hours: 24, ...RANGE, filters: where });
      assert.equal(funnel.status, 200, funnel.text);
      const q = new URLSearchParams({ metric: 'click_rate', interval: 'day', ...RANGE, filters: JSON.stringify(where) });
      assert.equal((await call('GET', `/v1/metrics?${q}`, 'analyst')).status, 200);
      const rule = await call('POST', '/v1/alert-rules', 'analyst', {
        name: `p ${name}`,
        metric: 'click_rate',
        kind: 'threshold',
        threshold: { below: 0.5 },
        filters: where,
      });
      assert.equal(rule.status, 201, rule.text);
    }
    // Alerting still evaluates with those rules saved.
    const evaluated = await call('POST', '/v1/alerts/evaluate', 'analyst', RANGE);
    assert.equal(evaluated.status, 200, evaluated.text);
  });

  it('accepts time zones in any case in the engine spelling and refuses zones the engine does not know', async () => {
    const summary = (tz: string) => call('GET', `/v1/events/summary?${new URLSearchParams({ ...RANGE, tz })}`, 'analyst');
    assert.equal((await summary('utc')).json.timezone ?? 'UTC', 'UTC');
    for (const tz of ['utc', 'asia/shanghai', 'ASIA/SHANGHAI']) assert.equal((await summary(tz)).status, 200, tz);
    for (const tz of ['US/Pacific-New', 'Mars/Olympus', '../../etc/passwd', 'a'.repeat(64)]) assertRefused(await summary(tz), 'querystring.tz');
    const saved = await call('PUT', '/v1/workspace', 'admin', { timezone: 'asia/shanghai' });
    assert.equal(saved.json.timezone, 'Asia/Shanghai');
    assertRefused(await call('PUT', '/v1/workspace', 'admin', { timezone: 'US/Pacific-New' }), 'body.timezone');
    assert.equal(
      (await call('GET', `/v1/metrics?${new URLSearchParams({ metric: 'click_rate', interval: 'day', ...RANGE, tz: 'utc' })}`, 'analyst')).status,
      200,
    );
  });

  it('refuses numbers and dates beyond what their columns hold, naming the field', async () => {
    const preview = (rule: unknown) => call('POST', '/v1/segments/preview', 'marketer', { rule });
    // 2^53 + 2 and 1e308 as JSON text (JSON.stringify would print them the same).
    assertRefused(
      await call('POST', '/v1/segments/preview', 'marketer', '{"rule":{"attr":"vip_level","op":"gt","value":9007199254740994}}'),
      'body.rule.value',
    );
    assertRefused(await call('POST', '/v1/segments/preview', 'marketer', '{"rule":{"attr":"vip_level","op":"gt","value":1e308}}'), 'body.rule.value');
    assertRefused(await call('POST', '/v1/segments/preview', 'marketer', '{"rule":{"attr":"vip_level","op":"gt","value":1e400}}'), 'body.rule.value');
    assertRefused(await preview({ event: 'click', count: { op: 'gte', value: 1e15 } }), 'body.rule.count.value');
    assertRefused(await preview({ cluster: { model: 'm', in: [2 ** 40] } }), 'body.rule.cluster.in');
    assertRefused(await preview({ attr: 'birthday', op: 'eq', value: '2024-13-45' }), 'body.rule.value');
    assertRefused(await preview({ attr: 'birthday', op: 'eq', value: '2023-02-29' }), 'body.rule.value');
    assertRefused(await preview({ attr: 'signup_at', op: 'gt', value: '+099999-01-01T00:00:00Z' }), 'body.rule.value');
    assertRefused(await preview({ attr: 'signup_at', op: 'gt', value: '9999-01-01T00:00:00Z' }), 'body.rule.value');
    assert.equal((await preview({ attr: 'birthday', op: 'eq', value: '2024-02-29' })).status, 200);

    const summary = await call('GET', `/v1/events/summary?${new URLSearchParams({ from: '9999-01-01T00:00:00Z', to: '9999-12-01T00:00:00Z' })}`, 'analyst');
    assertRefused(summary, 'querystring.from');
    assertRefused(
      await call('POST', '/v1/funnels', 'analyst', { steps: ['send', 'click'], window_hours: 24, from: `${FIXTURE_YEAR}-02-30T00:00:00Z`, to: RANGE.to }),
      'body.from',
    );

    const events = await call(
      'POST',
      '/v1/events',
      'sender',
      `[{"event_id":"r1","type":"conversion","ts":"${FIXTURE_YEAR}-11-20T10:00:00Z","user_id":"u","revenue":1e308},{"event_id":"r2","type":"conversion","ts":"${FIXTURE_YEAR}-11-20T10:00:00Z","user_id":"u","revenue":12.5}]`,
    );
    assert.equal(events.status, 202, events.text);
    assert.deepEqual([events.json.accepted, events.json.rejected.map((r: { index: number }) => r.index)], [1, [0]]);
    const contacts = await call('POST', '/v1/contacts', 'marketer', '[{"user_id":"big","vip_level":1e308},{"user_id":"big2","attributes":{"n":1e308}}]');
    assert.ok(contacts.status < 500, contacts.text);
  });

  it('keeps masked personal fields masked for analysts: no phone comparisons, masked ids, sealed cursors, masked logs', async () => {
    // Number-list contacts have their phone as user id.
    await call('POST', '/v1/contacts/import', 'marketer', '13512345678\n13512345679\n13512345680\n', { 'content-type': 'text/plain' });
    for (const leaf of [
      { attr: 'phone', op: 'between', value: ['+8613500000000', '+8613599999999'] },
      { attr: 'phone', op: 'contains', value: '1234' },
      { attr: 'phone', op: 'gt', value: '+86135' },
      { attr: 'user_id', op: 'lt', value: '+86136' },
      { attr: 'user_id', op: 'contains', value: '5678' },
    ]) {
      assertRefused(await call('POST', '/v1/segments/preview', 'analyst', { rule: leaf }), 'body.rule.op');
      // A marketer, who sees numbers anyway, may.
      assert.equal((await call('POST', '/v1/segments/preview', 'marketer', { rule: leaf })).status, 200);
    }
    assert.equal((await call('POST', '/v1/segments/preview', 'analyst', { rule: { attr: 'phone', op: 'exists' } })).status, 200);

    const page = await call('GET', '/v1/contacts?limit=2', 'analyst');
    assert.equal(page.status, 200, page.text);
    const all = [...page.json.contacts];
    let cursor = page.json.next_cursor;
    assert.ok(cursor);
    while (cursor) {
      // The cursor reveals nothing: no digits of a number in any decoding.
      assert.doesNotMatch(Buffer.from(cursor, 'base64url').toString('latin1'), /\d{7}/);
      const next = await call('GET', `/v1/contacts?limit=2&cursor=${cursor}`, 'analyst');
      all.push(...next.json.contacts);
      cursor = next.json.next_cursor;
    }
    const ids = all.map((c: { user_id: string }) => c.user_id);
    assert.ok(ids.includes('135****5678'), ids.join());
    for (const c of all) {
      assert.doesNotMatch(`${c.user_id} ${c.phone}`, /\d{7}/, JSON.stringify(c));
    }
    const sample = await call('POST', '/v1/segments/preview', 'analyst', { rule: { attr: 'phone', op: 'exists' }, sample: 100 });
    for (const r of sample.json.sample) assert.doesNotMatch(`${r.user_id} ${r.phone}`, /\d{7}/);
    // A forged cursor is refused.
    assertRefused(
      await call('GET', `/v1/contacts?limit=2&cursor=${Buffer.from(JSON.stringify({ v: 1, p: '' })).toString('base64url')}`, 'analyst'),
      'querystring.cursor',
    );
    // The access log never prints a number in a URL.
    await call('GET', `/v1/contacts/${encodeURIComponent('+8613512345678')}`, 'marketer');
    await call('GET', '/v1/contacts/13512345678', 'marketer');
    const urls = log.map((l) => JSON.parse(l).req?.url as string | undefined).filter((u) => u?.startsWith('/v1/contacts/'));
    assert.ok(urls.length >= 2, urls.join());
    for (const url of urls) assert.doesNotMatch(url!, /\d{7}/, url);
    assert.ok(urls.includes('/v1/contacts/135****5678'), urls.join());
  });

  it('answers a URL it cannot parse with the error shape and the same security headers as every answer', async () => {
    const res = await call('GET', '/v1/events/%E0%A4%A', 'sender');
    assert.deepEqual([res.status, res.json.code, res.json.field], [400, 'VALIDATION_FAILED', 'url']);
    const ok = await call('GET', '/v1/workspace', 'sender');
    for (const header of ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy']) {
      assert.ok(ok.headers.get(header), header);
      assert.equal(res.headers.get(header), ok.headers.get(header), header);
    }
  });

  it('answers no 5xx to markup and control characters in names and values', async () => {
    const hostile = ['<img src=x onerror=alert(1)>', '"; DROP TABLE events; --', '\u0000\u0007\u001b[31m', '{{workspace}}', '{p0:String}'];
    for (const text of hostile) {
      const seg = await call('POST', '/v1/segments', 'marketer', { name: text, rule: { tag: text } });
      assert.equal(seg.status, 201, seg.text);
      assert.equal((await call('GET', `/v1/segments/${seg.json.id}`, 'analyst')).json.name, text);
      const pv = await call('POST', '/v1/segments/preview', 'marketer', { rule: { attr: 'city', op: 'eq', value: text } });
      assert.equal(pv.status, 200, pv.text);
    }
  });
});

// Keeps the type import used when the file is read alone.
export type { Writable };
