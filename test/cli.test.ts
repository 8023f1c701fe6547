import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-cli-'));
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ADMIN_API_KEY: '', CLICKHOUSE_URL: '' };

describe('the smsp command (what `npm start` runs)', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('serve --demo migrates, prints a one-time admin key, loads demo data and answers over HTTP, then stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/smsp.mjs', 'serve', '--demo', '--port', '0', '--contacts', '300', '--weeks', '2'], { env });
    let stderr = '';
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line in time:\n${stderr}`)), 60_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /listening on (http:\/\/\S+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}:\n${stderr}`)));
    });
    try {
      const keyFile = path.join(dataDir, 'admin-api-key');
      const key = fs.readFileSync(keyFile, 'utf8').trim();
      assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
      assert.ok(stderr.includes(key), 'the generated key is printed once');
      assert.deepEqual(await (await fetch(`${address}/healthz`)).json(), { status: 'ok' });
      const to = new Date(Date.now() + 86400_000).toISOString();
      const res = await fetch(`${address}/v1/events/summary?from=2020-01-01T00:00:00Z&to=${to}`, { headers: { authorization: `Bearer ${key}` } });
      const summary = (await res.json()) as { events: Record<string, number> };
      assert.ok(summary.events.send! > 100, JSON.stringify(summary));
      assert.ok(summary.events.delivery! > 0 && summary.events.click! > 0 && summary.events.conversion! > 0);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });

  it('migrate is idempotent from the command line, and a bad flag or config is a clear error', () => {
    const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, ['bin/smsp.mjs', ...args], { env: { ...env, ...extra }, encoding: 'utf8' });
    assert.equal(run(['migrate']).stdout, 'schema is up to date\n');
    const unknown = run(['frobnicate']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command: frobnicate/);
    const badConfig = run(['migrate'], { EVENT_RETENTION_MONTHS: '6' });
    assert.equal(badConfig.status, 2);
    assert.match(badConfig.stderr, /EVENT_RETENTION_MONTHS must be at least 24/);
  });
});
