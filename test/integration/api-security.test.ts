import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { assertRolesDeclared, authPlugin } from '../../api/auth.ts';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const event = (id: string, phone = '13912345678') => ({ event_id: id, type: 'send', ts: `${FIXTURE_YEAR}-11-20T10:00:00Z`, user_id: 'u1', phone });
const RANGE = `from=${FIXTURE_YEAR}-11-01T00:00:00Z&to=${FIXTURE_YEAR}-12-01T00:00:00Z`;

describe('authentication, roles and workspace isolation', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('api_security', { MAX_PAGE_SIZE: '5', QUERY_TIMEOUT_SECONDS: '1' }, (app) => {
      // A route whose query runs past the 1 s limit, to prove the limit is enforced end to end.
      app.get('/v1/test/slow', { config: { roles: ['admin'] } }, async () =>
        t.wh.query('SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 1'),
      );
    });
  });
  after(() => t.close());

  const get = (url: string, key?: string) => t.app.inject({ method: 'GET', url, headers: key ? bearer(key) : { 'accept-language': 'en' } });

  it('every route declares the roles it admits', () => {
    assert.ok(t.app.routeTable.length > 10);
    for (const route of t.app.routeTable) assert.doesNotThrow(() => assertRolesDeclared(route), `${route.method} ${route.url}`);
  });

  it('an app with a route that declares no roles refuses to start', async () => {
    const app = Fastify();
    await app.register(authPlugin, { warehouse: t.wh });
    await assert.rejects(async () => {
      app.get('/v1/oops', async () => 'open');
      await app.ready();
    }, /route GET \/v1\/oops declares no roles/);
    assert.throws(() => assertRolesDeclared({ method: 'GET', url: '/x', config: { roles: [] } }), /declares no roles/);
  });

  it('401 without a key or with an unknown or revoked key', async () => {
    assert.equal((await get('/v1/keys')).statusCode, 401);
    assert.equal((await get('/v1/keys', 'smsp_nope_nope')).statusCode, 401);
    const res = await get('/v1/keys', 'wrong');
    assert.deepEqual(res.json(), { statusCode: 401, code: 'UNAUTHORIZED', message: 'a valid API key is required (Authorization: Bearer <key>)' });
    const admin = await t.keyFor('admin', 'ws_revoke');
    const created = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(admin), payload: { name: 'temp', role: 'analyst' } });
    assert.equal(created.statusCode, 201);
    const { key, key_id } = created.json();
    assert.equal((await get(`/v1/events/summary?${RANGE}`, key)).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/keys/${key_id}`, headers: bearer(admin) })).statusCode, 204);
    assert.equal((await get(`/v1/events/summary?${RANGE}`, key)).statusCode, 401);
  });

  it('403 for a role the route does not admit', async () => {
    const analyst = await t.keyFor('analyst');
    const res = await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(analyst), payload: [event('x')] });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, 'FORBIDDEN');
    assert.equal((await get('/v1/keys', await t.keyFor('sender'))).statusCode, 403);
  });

  it("workspace A's key never reads or writes workspace B's data; B's objects answer like missing ones", async () => {
    const senderA = await t.keyFor('sender', 'ws_a');
    const senderB = await t.keyFor('sender', 'ws_b');
    const adminA = await t.keyFor('admin', 'ws_a');
    await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(senderB), payload: [event('only_in_b')] });
    await t.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: bearer(await t.keyFor('admin', 'ws_b')),
      payload: [{ user_id: 'b_user', phone: '13700000001' }],
    });
    const fromB = await get('/v1/events/only_in_b', senderB);
    assert.equal(fromB.statusCode, 200);
    const fromA = await get('/v1/events/only_in_b', senderA);
    const missing = await get('/v1/events/never_existed', senderA);
    assert.equal(fromA.statusCode, 404);
    assert.deepEqual(fromA.json(), { ...missing.json(), message: 'event only_in_b not found' });
    assert.equal((await get('/v1/contacts/b_user', adminA)).statusCode, 404);
    const listA = (await get('/v1/contacts?limit=5', adminA)).json();
    assert.ok(!listA.contacts.some((c: { user_id: string }) => c.user_id === 'b_user'));
    // A writing an event with B's id stores it in A only
    await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(senderA), payload: [event('only_in_b', '13900000000')] });
    assert.equal((await get('/v1/events/only_in_b', senderB)).json().phone, '+8613912345678');
    const summaryB = (await get(`/v1/events/summary?${RANGE}`, await t.keyFor('analyst', 'ws_b'))).json();
    assert.equal(summaryB.events.send, 1);
    // B's key cannot be revoked from A
    const bKeys = await t.wh.query<{ key_id: string }>("SELECT key_id FROM api_keys WHERE workspace_id = 'ws_b' LIMIT 1");
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/keys/${bKeys[0]!.key_id}`, headers: bearer(adminA) })).statusCode, 404);
  });

  it('an admin creates keys only in its own workspace; the root key may create them anywhere', async () => {
    const adminA = await t.keyFor('admin', 'ws_a');
    const denied = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(adminA), payload: { name: 'x', role: 'admin', workspace: 'ws_b' } });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().field, 'body.workspace');
    const root = await t.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(t.rootKey),
      payload: { name: 'x', role: 'analyst', workspace: 'ws_new' },
    });
    assert.equal(root.statusCode, 201);
    assert.equal(root.json().workspace, 'ws_new');
    const bad = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(adminA), payload: { name: 'x', role: 'owner' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().field, 'body.role');
    // keys are stored hashed: the secret appears nowhere in the table
    const stored = await t.wh.query<{ key_hash: string }>('SELECT key_hash FROM api_keys');
    assert.ok(stored.every((r) => /^[0-9a-f]{64}$/.test(r.key_hash) && !r.key_hash.includes(root.json().key)));
  });

  it('masks phone numbers for analysts and shows them to senders and admins', async () => {
    await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(await t.keyFor('sender')), payload: [event('masked', '13812345678')] });
    await t.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: bearer(await t.keyFor('admin')),
      payload: [{ user_id: 'm_user', phone: '13812345678' }],
    });
    assert.equal((await get('/v1/events/masked', await t.keyFor('analyst'))).json().phone, '138****5678');
    assert.equal((await get('/v1/events/masked', await t.keyFor('sender'))).json().phone, '+8613812345678');
    assert.equal((await get('/v1/contacts/m_user', await t.keyFor('analyst'))).json().phone, '138****5678');
    assert.equal((await get('/v1/contacts/m_user', await t.keyFor('admin'))).json().phone, '+8613812345678');
    const page = (await get('/v1/contacts?limit=5', await t.keyFor('analyst'))).json();
    assert.ok(page.contacts.every((c: { phone: string }) => c.phone === '' || c.phone.includes('****')));
  });

  it('limits page sizes and query time', async () => {
    const admin = await t.keyFor('admin');
    const tooBig = await get('/v1/contacts?limit=6', admin);
    assert.equal(tooBig.statusCode, 400);
    assert.equal(tooBig.json().field, 'querystring.limit');
    const badCursor = await get('/v1/contacts?limit=5&cursor=abc', admin);
    assert.equal(badCursor.statusCode, 400);
    assert.equal(badCursor.json().field, 'querystring.cursor');
    const slow = await get('/v1/test/slow', admin);
    assert.equal(slow.statusCode, 504);
    assert.equal(slow.json().code, 'QUERY_TIMEOUT');
  });

  it('only a root key revokes a root key', async () => {
    const defaultAdmin = await t.keyFor('admin', 'default');
    const [root] = await t.wh.query<{ key_id: string }>("SELECT key_id FROM api_keys WHERE is_root = 1 AND workspace_id = 'default' LIMIT 1");
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/keys/${root!.key_id}`, headers: bearer(defaultAdmin) });
    assert.equal(res.statusCode, 403);
    assert.equal((await get('/v1/keys', t.rootKey)).statusCode, 200);
  });

  it('malformed URLs and lone surrogates in object bodies answer 400 in the one error shape', async () => {
    const url = await get('/v1/events/%E0%A4%A', await t.keyFor('sender'));
    assert.equal(url.statusCode, 400);
    assert.equal(url.json().code, 'VALIDATION_FAILED');
    const admin = await t.keyFor('admin');
    const tags = await t.app.inject({
      method: 'POST',
      url: '/v1/tags',
      payload: '{"assignments":[{"user_id":"u","tag":"a\\ud800"}]}',
      headers: { ...bearer(admin), 'content-type': 'application/json' },
    });
    assert.equal(tags.statusCode, 400);
    assert.equal(tags.json().field, 'body.assignments[0].tag');
  });

  it('public metrics name no workspace', async () => {
    await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(await t.keyFor('sender', 'ws_secret_name')), payload: [event('mx')] });
    const text = (await get('/metrics')).body;
    assert.doesNotMatch(text, /ws_secret_name|workspace=/);
  });

  it('messages for people follow Accept-Language, else the workspace locale (default zh-CN); codes never change', async () => {
    const raw = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/v1/keys', headers });
    const zh = (await raw({})).json();
    assert.deepEqual(zh, { statusCode: 401, code: 'UNAUTHORIZED', message: '需要有效的 API 密钥（Authorization: Bearer <key>）' });
    assert.equal((await raw({ 'accept-language': 'en-US,en;q=0.9' })).json().message, 'a valid API key is required (Authorization: Bearer <key>)');
    assert.equal((await raw({ 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' })).json().code, 'UNAUTHORIZED');
    // Without the header, the workspace's locale decides.
    const enAdmin = await t.keyFor('admin', 'ws_en');
    await t.app.inject({ method: 'PUT', url: '/v1/workspace', headers: bearer(enAdmin), payload: { locale: 'en' } });
    const missing = (key: string) => t.app.inject({ method: 'GET', url: '/v1/events/nope', headers: { authorization: `Bearer ${key}` } });
    assert.equal((await missing(await t.keyFor('sender', 'ws_en'))).json().message, 'event nope not found');
    const zhMissing = (await missing(await t.keyFor('sender', 'ws_zh'))).json();
    assert.deepEqual([zhMissing.code, zhMissing.message], ['NOT_FOUND', '未找到：event nope']);
    const invalid = await t.app.inject({
      method: 'GET',
      url: '/v1/contacts?limit=0',
      headers: { authorization: `Bearer ${await t.keyFor('admin', 'ws_zh')}` },
    });
    assert.deepEqual([invalid.json().code, invalid.json().field], ['VALIDATION_FAILED', 'querystring.limit']);
    assert.match(invalid.json().message, /^请求无效：querystring\.limit/);
  });

  it('health, readiness, metrics and docs are public', async () => {
    assert.deepEqual((await get('/healthz')).json(), { status: 'ok' });
    assert.equal((await get('/readyz')).json().status, 'ready');
    assert.match((await get('/metrics')).body, /smsp_events_accepted_total/);
    const openapi = (await get('/docs/json')).json();
    assert.ok(openapi.paths['/v1/events']);
    assert.equal((await get('/v1/nowhere')).statusCode, 404);
  });
});
