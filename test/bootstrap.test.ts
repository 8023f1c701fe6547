import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { authenticate, bootstrapAdminKey, clearKeyCache } from '../access/api-keys.ts';
import { buildApp } from '../api/app.ts';
import { openWarehouse, type Warehouse } from '../warehouse/warehouse.ts';
import { dropTestDatabase, openTestWarehouse, testConfig } from './helpers/warehouse.ts';

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
