/**
 * A contact import killed between its steps leaves either nothing or, after a restart, exactly what a
 * clean import of the same file gives. Imports run as `smsp import contacts` processes with a data
 * directory of their own; SMSP_TEST_CRASH_AFTER makes one exit with 137 right after the named step.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startServe, stopServe } from '../helpers/serve-process.ts';
import { loadConfig } from '../../config/config.ts';
import { openWarehouse, type Warehouse } from '../../warehouse/warehouse.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-import-crash-'));
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ADMIN_API_KEY: '', CLICKHOUSE_URL: '' };

const BAD_PHONE = new Set([17, 41]);
const optedOut = (i: number) => i % 7 === 3;
const tagsOf = (i: number) => (i % 2 ? ['interest=books', `wave${i % 3}`] : ['interest=sport']);

/** 60 lines: tags in two columns, opted-out contacts (suppressed), repeated contacts and two bad numbers. */
function contactFile(): string {
  const lines = ['user_id,phone,name,city,consent,tags,tag:vip'];
  for (let i = 0; i < 60; i++) {
    const phone = BAD_PHONE.has(i) ? `12${i}` : `1390000${String(1000 + i)}`;
    lines.push(
      `u${String(i % 55).padStart(3, '0')},${phone},名${i},${i % 2 ? '上海' : '杭州'},${optedOut(i) ? 'opted_out' : 'opted_in'},${tagsOf(i).join(';')},${i % 5 === 0 ? 'gold' : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** What the file holds, counted here: lines 55..59 repeat the users of lines 0..4 (the first line wins). */
function expectedCounts() {
  const kept = Array.from({ length: 55 }, (_, i) => i).filter((i) => !BAD_PHONE.has(i));
  return {
    contacts: kept.length,
    tags: kept.reduce((n, i) => n + tagsOf(i).length + 1 + (i % 5 === 0 ? 1 : 0), 0),
    suppressions: kept.filter(optedOut).length,
  };
}

async function withWarehouse<T>(run: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await openWarehouse(loadConfig({ DATA_DIR: dataDir }).warehouse);
  try {
    return await run(wh);
  } finally {
    await wh.close();
  }
}

/** Everything an import writes, without the columns that record when (they differ between runs). */
async function importedState(wh: Warehouse, ws: string) {
  const q = (statement: string) => wh.query(statement, { ws });
  return {
    contacts: await q(
      'SELECT user_id, phone, name, gender, birthday, city, region, signup_at, vip_level, consent, consent_at, attributes FROM contacts FINAL WHERE workspace_id = {ws:String} ORDER BY user_id',
    ),
    tags: await q('SELECT user_id, tag, value, source, is_deleted FROM tags FINAL WHERE workspace_id = {ws:String} ORDER BY user_id, tag, value'),
    suppressions: await q('SELECT reason, phone, user_id, source, is_deleted FROM suppressions FINAL WHERE workspace_id = {ws:String} ORDER BY phone, user_id'),
  };
}

async function jobsAndLeftovers(wh: Warehouse, ws: string) {
  const [jobs] = await wh.query<{ statuses: string[] }>(
    'SELECT groupArray(status) AS statuses FROM contact_import_jobs FINAL WHERE workspace_id = {ws:String}',
    { ws },
  );
  const [left] = await wh.query<{ rows: string; pending: string }>(
    'SELECT (SELECT count() FROM contact_import_rows WHERE workspace_id = {ws:String}) AS rows, (SELECT count() FROM contact_import_pending WHERE workspace_id = {ws:String}) AS pending',
    { ws },
  );
  return { statuses: jobs!.statuses, staged: Number(left!.rows) + Number(left!.pending) };
}

describe('a contact import killed mid-way', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const file = path.join(dataDir, 'contacts.csv');
  fs.writeFileSync(file, contactFile());
  const importInto = (ws: string, crashAfter?: string) =>
    spawnSync(process.execPath, ['bin/smsp.mjs', 'import', 'contacts', file, '--workspace', ws, '--tag', 'list_x', '--json'], {
      env: { ...env, ...(crashAfter && { SMSP_TEST_CRASH_AFTER: crashAfter }) },
      encoding: 'utf8',
    });

  // Every import process settles what the previous one left at its start (as the server does), so the
  // last one, killed after apply-tags, is left for the restart below.
  const APPLY_CRASHES = ['applying', 'apply-suppressions', 'apply-contacts', 'apply-tags'];
  const STAGE_CRASHES = ['staged', 'merge'];
  const wsFor = (step: string) => `crash_${step.replace('-', '_')}`;

  it('is completed by the next start when it had merged, and leaves nothing when it had not', async () => {
    const clean = importInto('clean');
    assert.equal(clean.status, 0, clean.stderr);
    const report = JSON.parse(clean.stdout);
    assert.deepEqual([report.rows, report.imported, report.duplicates, report.invalid.count], [60, 53, 5, 2]);
    for (const step of [...STAGE_CRASHES, ...APPLY_CRASHES]) {
      const crashed = importInto(wsFor(step), step);
      assert.equal(crashed.status, 137, `${step}: ${crashed.stderr}`);
      assert.equal(crashed.stdout, '', `${step}: no report was printed`);
    }

    const expected = await withWarehouse(async (wh) => {
      const state = await importedState(wh, 'clean');
      assert.deepEqual({ contacts: state.contacts.length, tags: state.tags.length, suppressions: state.suppressions.length }, expectedCounts());
      // The kills really cut imports in half: after apply-tags, tags are there but no contact is.
      const half = await importedState(wh, wsFor('apply-tags'));
      assert.deepEqual([half.contacts.length, half.tags.length, half.suppressions.length], [0, state.tags.length, state.suppressions.length]);
      assert.deepEqual((await jobsAndLeftovers(wh, wsFor('apply-tags'))).statuses, ['applying']);
      return state;
    });

    // Restart the way the server does.
    const server = await startServe(['--host', '127.0.0.1'], env, { timeoutMs: 60_000 });
    assert.equal(await stopServe(server), 0);
    assert.match(server.stderr(), /completed interrupted contact imports: [0-9a-f-]{36}\n/);

    await withWarehouse(async (wh) => {
      for (const step of APPLY_CRASHES) {
        assert.deepEqual(await importedState(wh, wsFor(step)), expected, `killed after ${step}: completed exactly as a clean import`);
        assert.deepEqual(await jobsAndLeftovers(wh, wsFor(step)), { statuses: ['done'], staged: 0 });
      }
      for (const step of STAGE_CRASHES) {
        assert.deepEqual(await importedState(wh, wsFor(step)), { contacts: [], tags: [], suppressions: [] }, `killed after ${step}: nothing imported`);
        assert.deepEqual(await jobsAndLeftovers(wh, wsFor(step)), { statuses: ['discarded'], staged: 0 });
      }
      assert.deepEqual(await jobsAndLeftovers(wh, 'clean'), { statuses: ['done'], staged: 0 });
    });
  });
});
