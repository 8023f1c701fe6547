/**
 * Erasure on request, through a real listener: a person seeded in every table (profile, tags, events of every
 * type, two audience versions, RFM score, cluster assignment, exposure, an import) is erased; then no table of
 * the database holds their phone or user id, event counts are unchanged, the number stays suppressed (also when
 * imported again), another workspace's identical person is untouched, and the log lists the erasure by hash.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const PHONE = '13812345678';
const E164 = `+86${PHONE}`;
const USER = 'u_erase_me';
/** Computed here, independently of the platform: sha256 of `<workspace>:<value>`. */
const hashOf = (ws: string, value: string) => `sha256:${crypto.createHash('sha256').update(`${ws}:${value}`).digest('hex')}`;

/** Every stored (non-view) table of the test database and its columns that can hold text. */
async function textColumns(wh: Warehouse): Promise<Map<string, string[]>> {
  const rows = await wh.query<{ table: string; name: string }>(
    `SELECT c.table AS table, c.name AS name FROM system.columns AS c
     INNER JOIN system.tables AS t ON t.database = c.database AND t.name = c.table
     WHERE c.database = currentDatabase() AND t.engine NOT LIKE '%View%' AND c.type LIKE '%String%'`,
  );
  const byTable = new Map<string, string[]>();
  for (const r of rows) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r.name]);
  return byTable;
}

/** `table.column` of every row of workspace `ws` (or of any workspace in tables without one) that contains `needle`. */
async function whereFound(wh: Warehouse, ws: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const [table, columns] of await textColumns(wh)) {
    const scope = columns.includes('workspace_id') ? 'workspace_id = {ws:String}' : '1';
    for (const column of columns) {
      const [r] = await wh.query<{ n: string }>(
        `SELECT count() AS n FROM \`${table}\` WHERE ${scope} AND position(toString(\`${column}\`), {needle:String}) > 0`,
        {
          ws,
          needle,
        },
      );
      if (Number(r!.n) > 0) found.push(`${table}.${column}`);
    }
  }
  return found;
}

describe('erasure on request (DELETE /v1/contacts/:user_id, GET /v1/erasures)', () => {
  let t: TestApp;
  let base: string;
  const keys: Record<string, string> = {};
  const call = async (method: string, path: string, key: string, body?: unknown, contentType = 'application/json') => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'accept-language': 'en', ...(body === undefined ? {} : { 'content-type': contentType }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : undefined };
  };
  const ok = async (method: string, path: string, key: string, body?: unknown, contentType?: string) => {
    const r = await call(method, path, key, body, contentType);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  };

  const day = (daysAgo: number, hour: number) =>
    new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() - daysAgo, hour)).toISOString();
  const eventsOf = (user: string, phone: string, prefix: string) => [
    { event_id: `${prefix}s1`, type: 'send', ts: day(3, 9), user_id: user, phone, campaign_id: 'c1', status: 'accepted', message_id: `${prefix}m1` },
    { event_id: `${prefix}d1`, type: 'delivery', ts: day(3, 9), user_id: user, phone, campaign_id: 'c1', status: 'delivered', message_id: `${prefix}m1` },
    {
      event_id: `${prefix}k1`,
      type: 'click',
      ts: day(3, 10),
      user_id: user,
      phone,
      campaign_id: 'c1',
      properties: { category: 'tea', url: `https://x.example/?p=${phone}` },
    },
    { event_id: `${prefix}v1`, type: 'conversion', ts: day(2, 10), user_id: user, phone, campaign_id: 'c1', revenue: 88.5 },
    { event_id: `${prefix}r1`, type: 'reply', ts: day(2, 11), user_id: user, phone, properties: { text: `我是${user}，电话${phone}` } },
    { event_id: `${prefix}r2`, type: 'reply', ts: day(2, 12), user_id: user, phone, properties: { text: 'TD' } },
    { event_id: `${prefix}u1`, type: 'unsubscribe', ts: day(2, 12), user_id: user, phone },
    { event_id: `${prefix}c1`, type: 'complaint', ts: day(2, 13), user_id: user, phone },
    { event_id: `${prefix}x1`, type: 'exposure', ts: day(4, 8), user_id: user, phone, experiment_id: 'exp1', variant: 'b' },
    // A send known only by the number (the unit is the phone).
    { event_id: `${prefix}s2`, type: 'send', ts: day(1, 9), phone, campaign_id: 'c2', status: 'accepted' },
  ];

  async function seed(ws: string) {
    const admin = keys[ws]!;
    await ok('POST', '/v1/contacts', admin, [
      { user_id: USER, phone: PHONE, name: '张三', city: '上海', attributes: { note: `call ${PHONE}` } },
      { user_id: 'u_keep', phone: '13900001111', name: '李四' },
    ]);
    await ok('POST', '/v1/tags', admin, {
      assignments: [
        { user_id: USER, tag: 'vip' },
        { user_id: 'u_keep', tag: 'vip' },
      ],
    });
    const seg = await ok('POST', '/v1/segments', admin, { name: 'vips', rule: { tag: 'vip' } });
    await ok('POST', `/v1/segments/${seg.id}/materialize`, admin, {});
    await ok('POST', `/v1/segments/${seg.id}/materialize`, admin, {});
    // A number list naming the same number: merged into the profile, its lines staged.
    await ok('POST', '/v1/contacts/import', admin, `${PHONE}\n`, 'text/plain');
    await ok('POST', '/v1/events', admin, [...eventsOf(USER, E164, `${ws}_`), ...eventsOf('u_keep', '+8613900001111', `${ws}_keep_`)]);
    await ok('POST', '/v1/rfm/compute', admin, { window_days: 30 });
    await t.wh.insert('cluster_assignments', [
      { workspace_id: ws, model_id: 'm1', user_id: USER, cluster: 1 },
      { workspace_id: ws, model_id: 'm1', user_id: 'u_keep', cluster: 0 },
    ]);
    return seg.id as string;
  }

  /** What analytics count: events per type, rollup totals per type, distinct units. */
  const counts = async (ws: string) => {
    const q = (statement: string) => t.wh.query(statement, { ws });
    return {
      events: await q(
        'SELECT toString(type) AS type, count() AS n, sum(revenue) AS revenue FROM events WHERE workspace_id = {ws:String} GROUP BY type ORDER BY type',
      ),
      units: await q("SELECT uniqExact(if(user_id != '', user_id, phone)) AS n FROM events WHERE workspace_id = {ws:String}"),
      daily: await q(
        'SELECT toString(type) AS type, sum(events) AS n, uniqExact(unit) AS units FROM contact_daily WHERE workspace_id = {ws:String} GROUP BY type ORDER BY type',
      ),
      dims: await q('SELECT toString(type) AS type, sum(events) AS n FROM contact_daily_dims WHERE workspace_id = {ws:String} GROUP BY type ORDER BY type'),
      hourly: await q(
        'SELECT sum(sends) AS s, sum(clicks) AS c, sum(unsubscribes) AS u, sum(revenue) AS r FROM metrics_hourly WHERE workspace_id = {ws:String}',
      ),
    };
  };

  let segA: string;
  let before_: Awaited<ReturnType<typeof counts>>;
  let beforeB: Awaited<ReturnType<typeof counts>>;
  let erased: any;

  before(async () => {
    t = await startTestApp('erasure');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
    for (const ws of ['ws_a', 'ws_b']) keys[ws] = await t.keyFor('admin', ws);
    keys.marketer = await t.keyFor('marketer', 'ws_a');
    segA = await seed('ws_a');
    await seed('ws_b');
    await ok('POST', '/v1/contacts', keys.ws_b!, [{ user_id: 'only_in_b', phone: '13600000000' }]);
    assert.ok((await whereFound(t.wh, 'ws_a', PHONE)).length >= 8, 'the seed put the number in many tables');
    before_ = await counts('ws_a');
    beforeB = await counts('ws_b');
    const r = await call('DELETE', `/v1/contacts/${USER}`, keys.ws_a!);
    assert.equal(r.status, 200, r.text);
    erased = r.json;
  });
  after(() => t.close());

  it('answers the erasure by hash, never by the identifiers', () => {
    assert.equal(erased.user_hash, hashOf('ws_a', USER));
    assert.deepEqual(erased.phone_hashes, [hashOf('ws_a', E164)]);
    assert.equal(erased.contacts_removed, 1);
    assert.equal(erased.events_pseudonymized, 10);
    assert.doesNotMatch(JSON.stringify(erased), new RegExp(`${PHONE}|${USER}`));
  });

  it('leaves neither the phone nor the user id in any table of the database', async () => {
    assert.deepEqual(await whereFound(t.wh, 'ws_a', PHONE), []);
    assert.deepEqual(await whereFound(t.wh, 'ws_a', USER), []);
    assert.equal((await call('GET', `/v1/contacts/${USER}`, keys.ws_a!)).status, 404);
  });

  it('keeps every event and every count, under the hashed identifiers, with free-form properties blanked', async () => {
    assert.deepEqual(await counts('ws_a'), before_);
    const rows = await t.wh.query<{ event_id: string; user_id: string; phone: string; properties: Record<string, string> }>(
      "SELECT event_id, user_id, phone, properties FROM events WHERE workspace_id = 'ws_a' AND startsWith(event_id, 'ws_a_') AND NOT startsWith(event_id, 'ws_a_keep') ORDER BY event_id",
    );
    assert.equal(rows.length, 10);
    for (const r of rows) {
      assert.equal(r.phone, hashOf('ws_a', E164));
      assert.equal(r.user_id, r.event_id === 'ws_a_s2' ? '' : hashOf('ws_a', USER));
    }
    const props = Object.fromEntries(rows.map((r) => [r.event_id, r.properties]));
    assert.deepEqual(props.ws_a_k1, { category: 'tea' });
    assert.deepEqual(props.ws_a_r1, {});
    assert.deepEqual(props.ws_a_r2, { text: 'TD' });
  });

  it("leaves another workspace's identical person untouched", async () => {
    assert.deepEqual(await counts('ws_b'), beforeB);
    const b = await call('GET', `/v1/contacts/${USER}`, keys.ws_b!);
    assert.equal(b.status, 200);
    assert.equal(b.json.phone, E164);
    assert.ok((await whereFound(t.wh, 'ws_b', PHONE)).length >= 8);
    const [n] = await t.wh.query<{ n: string }>("SELECT count() AS n FROM events WHERE workspace_id = 'ws_b' AND user_id = {u:String}", { u: USER });
    assert.equal(Number(n!.n), 9);
  });

  it('answers 404 for an erased, unknown or other workspace person, 403 for a marketer', async () => {
    const again = await call('DELETE', `/v1/contacts/${USER}`, keys.ws_a!);
    const unknown = await call('DELETE', '/v1/contacts/nobody', keys.ws_a!);
    const otherWs = await call('DELETE', '/v1/contacts/only_in_b', keys.ws_a!);
    for (const r of [again, unknown, otherWs]) assert.deepEqual([r.status, r.json.code], [404, 'NOT_FOUND'], r.text);
    assert.equal(otherWs.text.replace('only_in_b', 'nobody'), unknown.text, 'another workspace answers exactly like a missing id');
    assert.equal((await call('DELETE', '/v1/contacts/u_keep', keys.marketer!)).status, 403);
    assert.equal((await call('GET', '/v1/contacts/u_keep', keys.ws_a!)).status, 200, 'nothing erased by the refused call');
  });

  it('lists the erasure in the log, paged, without raw identifiers; admins only', async () => {
    const page = await ok('GET', '/v1/erasures?limit=1', keys.ws_a!);
    assert.deepEqual(page, { erasures: [erased], next_cursor: null });
    assert.deepEqual((await ok('GET', '/v1/erasures', keys.ws_b!)).erasures, []);
    assert.equal((await call('GET', '/v1/erasures', keys.marketer!)).status, 403);
    assert.match(erased.erased_at, /^\d{4}-\d\d-\d\dT.*Z$/);
  });

  it('keeps the person suppressed: a re-import of the number and a re-posted user id are excluded from new audiences and exports', async () => {
    const admin = keys.ws_a!;
    await ok('POST', '/v1/contacts/import?tag=vip', admin, `${PHONE}\n`, 'text/plain');
    await ok('POST', '/v1/contacts', admin, [{ user_id: USER, phone: '13700009999' }]);
    await ok('POST', '/v1/tags', admin, { assignments: [{ user_id: USER, tag: 'vip' }] });
    const m = await ok('POST', `/v1/segments/${segA}/materialize`, admin, {});
    assert.equal(m.matched, 3, JSON.stringify(m));
    assert.equal(m.excluded.suppressed, 3, JSON.stringify(m));
    const members = await t.wh.query<{ user_id: string; excluded: string }>(
      "SELECT user_id, excluded FROM audience_members WHERE workspace_id = 'ws_a' AND audience_id = {a:String} AND version = {v:UInt32} ORDER BY user_id",
      { a: m.audience_id, v: m.version },
    );
    assert.deepEqual(members, [
      { user_id: E164, excluded: 'suppressed' },
      { user_id: USER, excluded: 'suppressed' },
      { user_id: 'u_keep', excluded: 'suppressed' },
    ]);
    // u_keep unsubscribed through its own events; a fresh contact shows the export still sends to others.
    await ok('POST', '/v1/contacts', admin, [{ user_id: 'u_new', phone: '13500000001' }]);
    await ok('POST', '/v1/tags', admin, { assignments: [{ user_id: 'u_new', tag: 'vip' }] });
    const m2 = await ok('POST', `/v1/segments/${segA}/materialize`, admin, {});
    const res = await fetch(`${base}/v1/audiences/${m2.audience_id}/export?format=ndjson&fields=user_id,phone`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    const exported = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(exported, [{ user_id: 'u_new', phone: '+8613500000001' }]);
  });
});
