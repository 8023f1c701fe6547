/**
 * Web app sessions through a real listener: a key typed once becomes an HttpOnly, SameSite=Strict cookie that
 * authenticates the same API with the key's workspace and role; changes need the app's header; sign-out and key
 * revocation end the session at once; an expired session opens nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SESSION_HOURS, sessionOf, startSession } from '../../access/sessions.ts';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';

describe('web app sessions', () => {
  let t: TestApp;
  let base = '';

  before(async () => {
    t = await startTestApp('sessions');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}/v1`;
  });
  after(() => t.close());

  const call = (method: string, route: string, headers: Record<string, string> = {}, body?: unknown) =>
    fetch(`${base}${route}`, {
      method,
      headers: { 'accept-language': 'en', ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** Signs in with `key`; returns the cookie pair to send back and the Set-Cookie header as received. */
  async function signIn(key: string) {
    const before = Date.now();
    const res = await call('POST', '/sessions', {}, { key });
    assert.equal(res.status, 201, await res.clone().text());
    const setCookie = res.headers.get('set-cookie')!;
    const pair = setCookie.split(';')[0]!;
    return { res, body: (await res.json()) as Record<string, unknown>, setCookie, cookie: { cookie: pair }, before };
  }

  it('exchanges a key for an HttpOnly, SameSite=Strict cookie that does not hold the key', async () => {
    const key = await t.keyFor('marketer', 'ws_s1');
    const { body, setCookie, before } = await signIn(key);
    assert.deepEqual({ ...body, expires_at: undefined }, { workspace: 'ws_s1', role: 'marketer', is_root: false, via: 'session', expires_at: undefined });
    const expires = Date.parse(String(body.expires_at));
    assert.ok(Math.abs(expires - before - SESSION_HOURS * 3_600_000) < 60_000, 'expires after SESSION_HOURS');
    assert.match(setCookie, /^smsp_session=[A-Za-z0-9_-]{43}; /);
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; SameSite=Strict/);
    assert.match(setCookie, /; Path=\//);
    assert.equal(Date.parse(/Expires=([^;]+)/.exec(setCookie)![1]!), Math.floor(expires / 1000) * 1000);
    assert.doesNotMatch(setCookie, /Secure/, 'plain http: no Secure flag (the browser would drop the cookie)');
    assert.ok(!setCookie.includes(key.split('_')[2]!), 'the key is not in the cookie');
  });

  it('refuses a wrong key, a malformed body and a huge key with 401/400, setting no cookie', async () => {
    for (const [body, status] of [
      [{ key: 'smsp_000000000000_nope' }, 401],
      [{ key: '' }, 400],
      [{ key: 'x'.repeat(100_000) }, 400],
      [{ key: { constructor: 1 } }, 400],
      [{ __proto__: { key: 'x' } }, 400],
    ] as const) {
      const res = await call('POST', '/sessions', {}, body);
      assert.equal(res.status, status, JSON.stringify(body).slice(0, 80));
      assert.equal(res.headers.get('set-cookie'), null);
    }
  });

  it('authenticates the API as the key would: workspace, role, and another workspace answers 404', async () => {
    const { cookie } = await signIn(await t.keyFor('analyst', 'ws_s2'));
    const me = await call('GET', '/session', cookie);
    assert.equal(me.status, 200);
    assert.deepEqual(
      { ...((await me.json()) as object), expires_at: 'x' },
      { workspace: 'ws_s2', role: 'analyst', is_root: false, via: 'session', expires_at: 'x' },
    );
    // An analyst may not create keys, with a session as with the key.
    const keys = await call('POST', '/keys', { ...cookie, 'x-smsp-app': '1' }, { name: 'n', role: 'sender' });
    assert.equal(keys.status, 403);
    // A segment of ws_s1 is missing for ws_s2's session.
    const made = await call('POST', '/segments', bearer(await t.keyFor('marketer', 'ws_s1')), { name: 'S1 only', rule: { tag: 'vip' } });
    assert.equal(made.status, 201);
    const id = ((await made.json()) as { id: string }).id;
    const other = await call('GET', `/segments/${id}`, cookie);
    const missing = await call('GET', '/segments/seg_missing', cookie);
    assert.deepEqual([other.status, other.status], [404, missing.status]);
    const [a, b] = (await Promise.all([other.json(), missing.json()])) as { code: string; message: string }[];
    assert.deepEqual({ ...a!, message: a!.message.replace(id, 'ID') }, { ...b!, message: b!.message.replace('seg_missing', 'ID') });
    // With a key the same route says it is a key.
    const viaKey = await call('GET', '/session', bearer(await t.keyFor('analyst', 'ws_s2')));
    assert.deepEqual({ ...((await viaKey.json()) as object) }, { workspace: 'ws_s2', role: 'analyst', is_root: false, via: 'key', expires_at: null });
  });

  it('a change made with the cookie needs the app header (a cross-site form cannot add it)', async () => {
    const { cookie } = await signIn(await t.keyFor('marketer', 'ws_s3'));
    const rule = { rule: { tag: 'vip' }, sample: 1 };
    const bare = await call('POST', '/segments/preview', cookie, rule);
    assert.equal(bare.status, 403);
    assert.equal(((await bare.json()) as { field: string }).field, 'headers.x-smsp-app');
    const withHeader = await call('POST', '/segments/preview', { ...cookie, 'x-smsp-app': '1' }, rule);
    assert.equal(withHeader.status, 200, await withHeader.clone().text());
    assert.equal(((await withHeader.json()) as { count: number }).count, 0);
  });

  it('sign-out ends the session and clears the cookie; the same cookie then opens nothing', async () => {
    const { cookie } = await signIn(await t.keyFor('sender', 'ws_s4'));
    assert.equal((await call('GET', '/session', cookie)).status, 200);
    const out = await call('DELETE', '/session', { ...cookie, 'x-smsp-app': '1' });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie')!, /^smsp_session=; .*Expires=Thu, 01 Jan 1970/);
    assert.equal((await call('GET', '/session', cookie)).status, 401);
  });

  it('revoking the key ends its sessions at once', async () => {
    const created = await call('POST', '/keys', bearer(t.rootKey), { name: 'to revoke', role: 'analyst', workspace: 'ws_s5' });
    const { key, key_id } = (await created.json()) as { key: string; key_id: string };
    const { cookie } = await signIn(key);
    assert.equal((await call('GET', '/session', cookie)).status, 200);
    const revoked = await call('DELETE', `/keys/${key_id}`, { ...bearer(t.rootKey), 'x-smsp-workspace': 'ws_s5' });
    assert.equal(revoked.status, 204);
    assert.equal((await call('GET', '/session', cookie)).status, 401);
  });

  it('an expired session opens nothing, and a forged or overlong cookie is a 401', async () => {
    const key = await t.keyFor('analyst', 'ws_s6');
    const now = Date.now();
    const started = (await startSession(t.wh, key, now))!;
    assert.ok(await sessionOf(t.wh, started.secret, now + SESSION_HOURS * 3_600_000 - 1));
    assert.equal(await sessionOf(t.wh, started.secret, now + SESSION_HOURS * 3_600_000), null);
    for (const forged of ['AAAA', 'x'.repeat(5000), '%00', 'constructor']) {
      assert.equal((await call('GET', '/session', { cookie: `smsp_session=${forged}` })).status, 401, forged.slice(0, 10));
    }
  });
});
