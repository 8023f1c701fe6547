/**
 * `smsp rollups rebuild` as a process: rollups that lost rows (as a crash between an insert and its views
 * would leave them) are refilled from the stored events, and equal counts computed here from the file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../config/config.ts';
import { openWarehouse, type Warehouse } from '../../warehouse/warehouse.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-rollups-'));
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ADMIN_API_KEY: '', CLICKHOUSE_URL: '' };
const WS = 'ws_rebuild';
const smsp = (...args: string[]) => spawnSync(process.execPath, ['bin/smsp.mjs', ...args], { env, encoding: 'utf8' });

async function withWarehouse<T>(run: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await openWarehouse(loadConfig({ DATA_DIR: dataDir }).warehouse);
  try {
    return await run(wh);
  } finally {
    await wh.close();
  }
}

/** Events per type in the contact rollup, and clicks in both metric rollups. */
async function rollupCounts(wh: Warehouse) {
  const byType = await wh.query<{ type: string; n: string }>(
    'SELECT toString(type) AS type, sum(events) AS n FROM contact_daily WHERE workspace_id = {ws:String} GROUP BY type ORDER BY type',
    { ws: WS },
  );
  const [m] = await wh.query<{ full: string; slim: string }>(
    'SELECT (SELECT sum(clicks) FROM metrics_hourly WHERE workspace_id = {ws:String}) AS full, (SELECT sum(clicks) FROM metrics_hourly_slim WHERE workspace_id = {ws:String}) AS slim',
    { ws: WS },
  );
  return { byType: Object.fromEntries(byType.map((r) => [r.type, Number(r.n)])), clicks: [Number(m!.full), Number(m!.slim)] };
}

describe('smsp rollups rebuild', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('refills rollups that lost rows from the stored events', async () => {
    // 3 days of sends to 40 users, a click for every third send; campaigns and carriers vary.
    const events = Array.from({ length: 360 }, (_, i) => ({
      event_id: `e${i}`,
      type: i % 3 === 2 ? 'click' : 'send',
      ts: new Date(Date.parse(`${FIXTURE_YEAR}-10-01T00:00:00Z`) + i * 720_000).toISOString(),
      user_id: `u${i % 40}`,
      campaign_id: `c${i % 4}`,
      carrier: ['China Mobile', 'China Unicom'][i % 2],
    }));
    const file = path.join(dataDir, 'events.ndjson');
    fs.writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
    const imported = smsp('import', 'events', file, '--workspace', WS);
    assert.equal(imported.status, 0, imported.stderr);
    const want = { byType: { click: 120, send: 240 }, clicks: [120, 120] };
    assert.deepEqual(await withWarehouse(rollupCounts), want);

    await withWarehouse(async (wh) => {
      await wh.ddl('TRUNCATE TABLE contact_daily');
      await wh.ddl('TRUNCATE TABLE metrics_hourly_slim');
      await wh.command("DELETE FROM metrics_hourly WHERE workspace_id = {ws:String} AND campaign_id = 'c1'", { ws: WS });
      assert.notDeepEqual(await rollupCounts(wh), want);
    });

    const rebuilt = smsp('rollups', 'rebuild');
    assert.equal(rebuilt.status, 0, rebuilt.stderr);
    assert.deepEqual(
      rebuilt.stdout
        .trim()
        .split('\n')
        .map((line) => line.replace(/ \(\d+(\.\d+)? s\)$/, '')),
      ['rebuilt contact_daily, contact_daily_dims', 'rebuilt metrics_hourly', 'rebuilt metrics_hourly_slim'],
    );
    assert.deepEqual(await withWarehouse(rollupCounts), want);
    // Again (--json): the same rows, nothing counted twice.
    const again = smsp('rollups', 'rebuild', '--json');
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(
      (JSON.parse(again.stdout) as { rebuilt: { tables: string[] }[] }).rebuilt.map((r) => r.tables),
      [['contact_daily', 'contact_daily_dims'], ['metrics_hourly'], ['metrics_hourly_slim']],
    );
    assert.deepEqual(await withWarehouse(rollupCounts), want);
  });

  it('answers a wrong use with its usage on one line and exit code 2', () => {
    for (const args of [['rollups'], ['rollups', 'rebuild', 'extra'], ['rollups', 'constructor']]) {
      const res = smsp(...args);
      assert.equal(res.status, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, /^smsp: usage: smsp rollups rebuild.*\n$/);
    }
  });
});
