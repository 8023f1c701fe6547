import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startServe, stopServe } from '../helpers/serve-process.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-limits-cli-'));
const baseEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ADMIN_API_KEY: '', CLICKHOUSE_URL: '' };

describe('limits through the smsp command', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const keyFile = path.join(dataDir, 'admin-api-key');
  let generated = '';

  it('fits clusters in a worker thread under the command’s TypeScript loader', async () => {
    const served = await startServe(['--demo', '--contacts', '300', '--weeks', '2'], baseEnv);
    const { address } = served;
    try {
      generated = fs.readFileSync(keyFile, 'utf8').trim();
      const res = await fetch(`${address}/v1/clusters`, {
        method: 'POST',
        headers: { authorization: `Bearer ${generated}`, 'content-type': 'application/json', 'accept-language': 'en' },
        body: JSON.stringify({ features: ['frequency', 'click_rate', 'recency_days'], k_range: [2, 4], seed: 1 }),
      });
      const model = (await res.json()) as { k: number; sizes: number[] };
      assert.equal(res.status, 200, JSON.stringify(model));
      assert.ok(model.k >= 2 && model.k <= 4);
      assert.equal(model.sizes.length, model.k);
      assert.ok(
        model.sizes.every((n) => n > 0),
        JSON.stringify(model),
      );
    } finally {
      assert.equal(await stopServe(served), 0);
    }
  });

  it('with ADMIN_API_KEY set, the generated root key is revoked (401) and its file removed', async () => {
    const configured = 'operator-chosen-admin-key-0123456789';
    const served = await startServe([], { ...baseEnv, ADMIN_API_KEY: configured });
    const { address, stderr } = served;
    try {
      assert.match(stderr(), /ADMIN_API_KEY is the root key of workspace "default": revoked 1 other root key\(s\)/);
      assert.equal(fs.existsSync(keyFile), false);
      const keys = (key: string) => fetch(`${address}/v1/keys`, { headers: { authorization: `Bearer ${key}`, 'accept-language': 'en' } });
      const old = await keys(generated);
      assert.equal(old.status, 401);
      assert.equal(((await old.json()) as { code: string }).code, 'UNAUTHORIZED');
      assert.equal((await keys(configured)).status, 200);
    } finally {
      assert.equal(await stopServe(served), 0);
    }
  });
});
