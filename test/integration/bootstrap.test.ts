import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { authenticate, bootstrapAdminKey, clearKeyCache, createApiKey } from '../../access/api-keys.ts';
import { buildApp } from '../../api/app.ts';
import { openWarehouse, type Warehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, openTestWarehouse, testConfig } from '../helpers/warehouse.ts';

describe('bootstrap admin key and readiness', () => {
  let wh: Warehouse;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-boot-'));
  before(async () => {
    wh = await openTestWarehouse('bootstrap');
  });
  after(async () => {
    await dropTestDatabase(wh);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('generates a root key once, prints it once and keeps it in a 0600 file', async () => {
    const first = await bootstrapAdminKey(wh, { dataDir });
    assert.match(first.generatedKey!, /^smsp_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(fs.readFileSync(first.keyFile!, 'utf8').trim(), first.generatedKey);
    assert.equal(fs.statSync(first.keyFile!).mode & 0o777, 0o600);
    assert.deepEqual(await bootstrapAdminKey(wh, { dataDir }), {}, 'second start: nothing new');
    const principal = await authenticate(wh, first.generatedKey!);
    assert.deepEqual(principal && { ws: principal.workspaceId, role: principal.role, root: principal.isRoot }, { ws: 'default', role: 'admin', root: true });
  });

  it('takes ADMIN_API_KEY as the root key, rotates it when it changes, and refuses a short one', async () => {
    const one = 'first-admin-key-0123456789abcdef';
    const two = 'second-admin-key-0123456789abcdef';
    await bootstrapAdminKey(wh, { dataDir, adminApiKey: one });
    clearKeyCache();
    assert.equal((await authenticate(wh, one))?.isRoot, true);
    await bootstrapAdminKey(wh, { dataDir, adminApiKey: two });
    clearKeyCache();
    assert.equal(await authenticate(wh, one), null, 'the replaced key stops working');
    assert.equal((await authenticate(wh, two))?.isRoot, true);
    await assert.rejects(bootstrapAdminKey(wh, { dataDir, adminApiKey: 'admin' }), /at least 24 characters/);
  });

  it('ADMIN_API_KEY revokes every other root key of default (the generated one and its file too): the old key gets 401 over HTTP', async () => {
    const rotateWh = await openTestWarehouse('bootstrap_rotate');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-boot-rotate-'));
    const app = await buildApp({ config: testConfig('bootstrap_rotate'), warehouse: rotateWh, logger: false });
    try {
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      const listKeys = (key: string) => fetch(`${address}/v1/keys`, { headers: { authorization: `Bearer ${key}`, 'accept-language': 'en' } });
      const generated = (await bootstrapAdminKey(rotateWh, { dataDir: dir })).generatedKey!;
      const extraRoot = await createApiKey(rotateWh, { workspace: 'default', role: 'admin', name: 'another root', createdBy: 'test', isRoot: true });
      const ordinary = await createApiKey(rotateWh, { workspace: 'default', role: 'admin', name: 'ordinary admin', createdBy: 'test' });
      assert.equal((await listKeys(generated)).status, 200);

      const configured = 'configured-admin-key-0123456789abcdef';
      assert.deepEqual(await bootstrapAdminKey(rotateWh, { dataDir: dir, adminApiKey: configured }), { revokedRootKeys: 2 });
      assert.equal(fs.existsSync(path.join(dir, 'admin-api-key')), false, 'the file of the revoked generated key is removed');
      for (const old of [generated, extraRoot.key]) {
        const res = await listKeys(old);
        assert.equal(res.status, 401);
        assert.deepEqual(await res.json(), { statusCode: 401, code: 'UNAUTHORIZED', message: 'a valid API key is required (Authorization: Bearer <key>)' });
      }
      assert.equal((await listKeys(ordinary.key)).status, 200, 'keys that are not root keys are left alone');
      const listed = (await (await listKeys(configured)).json()) as { keys: { name: string; revoked: boolean }[] };
      assert.deepEqual(listed.keys.map((k) => `${k.name}:${k.revoked}`).sort(), [
        'ADMIN_API_KEY:false',
        'another root:true',
        'bootstrap admin:true',
        'ordinary admin:false',
      ]);
      assert.deepEqual(await bootstrapAdminKey(rotateWh, { dataDir: dir, adminApiKey: configured }), {}, 'a restart with the same key changes nothing');

      // Changed and then set back: the first key is the root key again, the second one is revoked.
      const second = 'second-configured-key-0123456789abcdef';
      assert.deepEqual(await bootstrapAdminKey(rotateWh, { dataDir: dir, adminApiKey: second }), { revokedRootKeys: 1 });
      assert.deepEqual(await bootstrapAdminKey(rotateWh, { dataDir: dir, adminApiKey: configured }), { revokedRootKeys: 1 });
      assert.deepEqual([(await listKeys(configured)).status, (await listKeys(second)).status], [200, 401]);

      // An ordinary key's value cannot become the root key (and nothing is revoked trying).
      await assert.rejects(bootstrapAdminKey(rotateWh, { dataDir: dir, adminApiKey: ordinary.key }), /already the value of an ordinary API key/);
      assert.equal((await listKeys(configured)).status, 200);
    } finally {
      await app.close();
      await dropTestDatabase(rotateWh);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('readiness reports pending migrations without changing the database', async () => {
    const config = testConfig('bootstrap_fresh');
    const fresh = await openWarehouse(config.warehouse);
    const app = await buildApp({ config, warehouse: fresh, logger: false });
    try {
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 503);
      assert.match(res.json().reason, /migrations pending: 0001_events/);
      const tables = await fresh.query('SELECT name FROM system.tables WHERE database = currentDatabase()');
      assert.deepEqual(tables, []);
    } finally {
      await app.close();
      await dropTestDatabase(fresh);
    }
  });
});
