/**
 * Backup and restore with the engine's BACKUP/RESTORE. Data of every kind (events, contacts, tags, suppressions,
 * metadata, audiences, experiments, alerts, RFM, clusters) is written through the API; a full backup is made through
 * the HTTP route with a root key, more data is written, an incremental backup is made on top; each is restored into
 * an empty database and every table is compared row by row with the source as it was at that backup (the source's
 * merges are stopped, so its rows stay as written). Bad paths: traversal, links out of the root, non-root keys,
 * non-empty directories and databases, altered manifests, a replaced base; a backup while events are written.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Role } from '../../access/roles.ts';
import { isAppError } from '../../common/errors.ts';
import { MANIFEST_FILE, readManifest, sealManifest, type BackupManifest } from '../../warehouse/backup-manifest.ts';
import { backupWarehouse, restoreWarehouse } from '../../warehouse/backup.ts';
import { SQL_DIR } from '../../warehouse/sql-files.ts';
import { openWarehouse, type Warehouse } from '../../warehouse/warehouse.ts';
import { fetchCaller, seedWorkspace, type Caller } from '../helpers/api-seed.ts';
import { startTestApp } from '../helpers/app.ts';

const t = await startTestApp('backup');
const root = t.config.warehouse.backupRoot;
const runDir = path.join(root, `run_${process.pid}`);
const restoredDatabases: Warehouse[] = [];

/** Every table that holds rows, as the engine lists it. */
async function dataTables(wh: Warehouse, database: string): Promise<string[]> {
  const rows = await wh.query<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = {db:String} AND engine NOT IN ('MaterializedView', 'View') ORDER BY name",
    { db: database },
  );
  return rows.map((r) => r.name);
}

/** Each table's stored rows (parts not merged yet count apart, as the manifest counts them). */
async function rowCounts(wh: Warehouse, database: string): Promise<[string, number][]> {
  const out: [string, number][] = [];
  for (const table of await dataTables(wh, database)) {
    const [row] = await wh.query<{ n: string }>(`SELECT count() AS n FROM \`${database}\`.\`${table}\``);
    out.push([table, Number(row!.n)]);
  }
  return out;
}

/** Tables whose rows background merges fold (summed, aggregated, replaced): read FINAL, the data they stand for. */
async function foldingTables(wh: Warehouse, database: string): Promise<Set<string>> {
  const rows = await wh.query<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = {db:String} AND match(engine, 'Replacing|Summing|Aggregating')",
    {
      db: database,
    },
  );
  return new Set(rows.map((r) => r.name));
}

/**
 * Every row of every table, as text, sorted: two databases with equal dumps hold the same data. Folding tables are
 * read FINAL: a restored database merges its parts on its own schedule (1 + 10 may already be 11 there), so their
 * rows are compared as the sums and newest versions they stand for.
 */
async function dumpAll(wh: Warehouse, database: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const folding = await foldingTables(wh, database);
  for (const table of await dataTables(wh, database)) {
    const final = folding.has(table) ? ' FINAL' : '';
    const rows = await wh.query<{ r: string }>(`SELECT toString(tuple(*)) AS r FROM \`${database}\`.\`${table}\`${final}`);
    out[table] = rows.map((x) => x.r).sort();
  }
  return out;
}

/** A new empty database to restore into (dropped at the end). */
async function emptyDatabase(label: string): Promise<Warehouse> {
  const wh = await openWarehouse({ ...t.config.warehouse, database: `test_backup_${label}_${process.pid}` });
  restoredDatabases.push(wh);
  return wh;
}

async function refusedWith(code: string, run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    assert.ok(isAppError(err, code), `expected ${code}, got ${(err as Error).stack}`);
    return (err as Error).message;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

const dirSize = (dir: string): number =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .reduce((n, e) => n + (e.isDirectory() ? dirSize(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);

describe('backup and restore', () => {
  let call: Caller;
  type Made = { manifest: BackupManifest; dump: Record<string, string[]> };
  // Each test asks for the backups it needs (made once, on first use): none relies on another test having run.
  let fullMade: Promise<Made & { answer: Awaited<ReturnType<Caller>>; counts: [string, number][] }> | undefined;
  let incrementalMade: Promise<Made> | undefined;
  const fullBackup = () =>
    (fullMade ??= (async () => {
      const answer = await call('POST', '/v1/admin/backups', t.rootKey, { dir: `run_${process.pid}/full` });
      assert.equal(answer.status, 201, answer.text);
      // Read at once: nothing writes in between, so the source holds what the backup holds.
      const [dump, counts] = [await dumpAll(t.wh, t.wh.database), await rowCounts(t.wh, t.wh.database)];
      return { answer, dump, counts, manifest: readManifest(path.join(runDir, 'full')) };
    })());
  const incrementalBackup = () =>
    (incrementalMade ??= (async () => {
      await fullBackup();
      await seed('bk_b', 'bkb');
      const manifest = await backupWarehouse(t.wh, { dir: path.join(runDir, 'incremental'), base: path.join(runDir, 'full') });
      return { manifest, dump: await dumpAll(t.wh, t.wh.database) };
    })());

  async function seed(workspace: string, label: string) {
    const keys = {} as Record<Role, string>;
    for (const role of ['admin', 'analyst', 'marketer', 'sender'] as const) keys[role] = await t.keyFor(role, workspace);
    await seedWorkspace(call, keys, label);
    // An unsubscribe: the suppressions table gets its row from the view on events.
    const res = await call('POST', '/v1/events', keys.sender, [
      { event_id: `${label}_unsub`, type: 'unsubscribe', ts: new Date().toISOString(), user_id: `${label}_user_9`, phone: '+8613810000009' },
    ]);
    assert.equal(res.status, 202, res.text);
  }

  before(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    call = fetchCaller(`http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`);
    // Merges would fold rows of the summing, aggregating and replacing tables between reads: stop them there
    // (not on every table: the DELETEs of imports and audiences are mutations, which wait for merges).
    for (const name of await foldingTables(t.wh, t.wh.database)) await t.wh.ddl(`SYSTEM STOP MERGES \`${t.wh.database}\`.\`${name}\``);
    await seed('bk_a', 'bka');
  });

  after(async () => {
    for (const wh of restoredDatabases) {
      await wh.ddl(`DROP DATABASE IF EXISTS ${wh.database}`);
      await wh.close();
    }
    fs.rmSync(runDir, { recursive: true, force: true });
    await t.close();
  });

  it('makes a full backup through the HTTP route, with a manifest that matches the source', async () => {
    const { answer: res, dump, counts, manifest } = await fullBackup();
    assert.equal(res.json.dir, path.join(runDir, 'full'));
    assert.equal(res.json.base, null);
    assert.deepEqual(res.json.tables, manifest.tables);
    // Every table with its row count as the source holds it now (nothing wrote in between).
    assert.deepEqual(
      manifest.tables.map((x) => [x.name, Number(x.rows)]),
      counts,
    );
    assert.deepEqual(
      Object.keys(dump),
      counts.map(([name]) => name),
    );
    for (const table of ['events', 'contacts', 'tags', 'suppressions', 'metadata', 'audience_members', 'api_keys', 'schema_migrations', 'contact_daily']) {
      assert.ok(Number(manifest.tables.find((x) => x.name === table)?.rows) > 0, `${table} is backed up with rows`);
    }
    const newest = fs.readdirSync(path.join(SQL_DIR, 'migrations')).sort().at(-1)!.slice(0, 4);
    assert.equal(manifest.migration_version, newest, 'the newest migration file is the newest applied');
    assert.match(manifest.engine_version, /^\d+\.\d+/);
  });

  it('makes an incremental backup on the full one, holding only what is new', async () => {
    const full = await fullBackup();
    const { manifest, dump } = await incrementalBackup();
    assert.deepEqual(manifest.base, { dir: path.join(runDir, 'full'), seal: full.manifest.seal });
    assert.ok(dump.events!.length > full.dump.events!.length, 'more events than in the full backup');
    assert.ok(dirSize(path.join(runDir, 'incremental')) < dirSize(path.join(runDir, 'full')), 'the incremental backup is smaller than the full one');
  });

  it('restores each backup into an empty database, equal to the source row by row', async () => {
    for (const [label, backup, dir] of [
      ['full', await fullBackup(), 'full'],
      ['incr', await incrementalBackup(), 'incremental'],
    ] as const) {
      const target = await emptyDatabase(label);
      const result = await restoreWarehouse(target, { dir: path.join(runDir, dir) });
      assert.deepEqual(result.tables, backup.manifest.tables);
      assert.deepEqual(await dumpAll(target, target.database), backup.dump, `${label}: restored rows equal the source's at backup time`);
    }
  });

  it('refuses a database that holds tables, unless forced', async () => {
    const incremental = await incrementalBackup();
    const target = await emptyDatabase('held');
    await restoreWarehouse(target, { dir: path.join(runDir, 'full') });
    const message = await refusedWith('BACKUP_REFUSED', () => restoreWarehouse(target, { dir: path.join(runDir, 'incremental') }));
    assert.match(message, /already holds \d+ tables.*--force/);
    await restoreWarehouse(target, { dir: path.join(runDir, 'incremental'), force: true });
    assert.deepEqual(await dumpAll(target, target.database), incremental.dump);
  });

  it('refuses an altered, malformed or missing manifest, and a replaced base', async () => {
    const full = await fullBackup();
    await incrementalBackup();
    const copy = (name: string) => {
      fs.cpSync(path.join(runDir, 'full'), path.join(runDir, name), { recursive: true });
      return path.join(runDir, name);
    };
    const target = await emptyDatabase('bad');
    // One row count changed by hand: the seal no longer matches.
    const edited = copy('edited');
    const text = fs.readFileSync(path.join(edited, MANIFEST_FILE), 'utf8');
    fs.writeFileSync(
      path.join(edited, MANIFEST_FILE),
      text.replace(/"rows": "(\d+)"/, (_, n) => `"rows": "${Number(n) + 1}"`),
    );
    assert.match(await refusedWith('BACKUP_INVALID', () => restoreWarehouse(target, { dir: edited })), /altered/);
    // Truncated JSON, and no manifest at all.
    const truncated = copy('truncated');
    fs.writeFileSync(path.join(truncated, MANIFEST_FILE), text.slice(0, 100));
    assert.match(await refusedWith('BACKUP_INVALID', () => restoreWarehouse(target, { dir: truncated })), /not readable JSON/);
    fs.rmSync(path.join(truncated, MANIFEST_FILE));
    assert.match(await refusedWith('BACKUP_INVALID', () => restoreWarehouse(target, { dir: truncated })), /no backup manifest/);
    // Resealed with a wrong count (a manifest that lies consistently): the restored data gives it away.
    const lying = copy('lying');
    const { seal, ...unsealed } = full.manifest;
    assert.ok(seal);
    const events = unsealed.tables.find((x) => x.name === 'events')!;
    const tables = unsealed.tables.map((x) => (x === events ? { ...x, rows: String(Number(x.rows) + 5) } : x));
    fs.writeFileSync(path.join(lying, MANIFEST_FILE), JSON.stringify(sealManifest({ ...unsealed, tables })));
    assert.match(await refusedWith('BACKUP_INVALID', () => restoreWarehouse(target, { dir: lying })), /table events has \d+ rows.*the manifest says/);
    // The incremental backup's base replaced by another backup: refused before anything is restored.
    const fresh = await emptyDatabase('chain');
    const incrCopy = path.join(runDir, 'incr_copy');
    fs.cpSync(path.join(runDir, 'incremental'), incrCopy, { recursive: true });
    const replacedBase = JSON.parse(fs.readFileSync(path.join(incrCopy, MANIFEST_FILE), 'utf8')) as BackupManifest;
    fs.writeFileSync(path.join(runDir, 'full', MANIFEST_FILE), JSON.stringify(sealManifest({ ...unsealed, created_at: 'another time' })));
    try {
      assert.match(await refusedWith('BACKUP_INVALID', () => restoreWarehouse(fresh, { dir: incrCopy })), /base backup .* was replaced/);
    } finally {
      fs.writeFileSync(path.join(runDir, 'full', MANIFEST_FILE), JSON.stringify(full.manifest));
    }
    assert.equal(replacedBase.base!.seal, full.manifest.seal);
    assert.deepEqual(await dataTables(fresh, fresh.database), [], 'nothing restored from a refused backup');
  });

  it('refuses paths outside the backup root, non-root keys and non-empty directories over HTTP', async () => {
    const post = (key: string, body: object) => call('POST', '/v1/admin/backups', key, body);
    for (const [dir, field] of [
      ['../escaped', 'body.dir'],
      [`run_${process.pid}/../../escaped`, 'body.dir'],
      ['/etc/smsp-backup', 'body.dir'],
      ['.', 'body.dir'],
    ]) {
      const res = await post(t.rootKey, { dir });
      assert.equal(res.status, 400, `${dir}: ${res.text}`);
      assert.equal(res.json.field, field);
    }
    const res = await post(t.rootKey, { dir: `run_${process.pid}/x`, base: '../../outside' });
    assert.equal(res.status, 400);
    assert.equal(res.json.field, 'body.base');
    // A link inside the root that points out of it.
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-outside-'));
    fs.symlinkSync(outside, path.join(runDir, 'link'));
    const linked = await post(t.rootKey, { dir: `run_${process.pid}/link/b` });
    assert.equal(linked.status, 400, linked.text);
    assert.deepEqual(fs.readdirSync(outside), [], 'nothing written through the link');
    fs.rmSync(outside, { recursive: true });
    // An admin key that is not a root key, and a directory that already holds a backup.
    const admin = await post(await t.keyFor('admin', 'bk_a'), { dir: `run_${process.pid}/by_admin` });
    assert.equal(admin.status, 403, admin.text);
    await fullBackup();
    const again = await post(t.rootKey, { dir: `run_${process.pid}/full` });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.json.code, 'BACKUP_REFUSED');
  });

  it('backs up a consistent snapshot while events are being written', async () => {
    const keys = { sender: await t.keyFor('sender', 'bk_live') };
    const before = (await dumpAll(t.wh, t.wh.database)).events!.length;
    let writing = true;
    let batches = 0;
    const writer = (async () => {
      while (writing) {
        const events = Array.from({ length: 50 }, (_, i) => ({
          event_id: `live_${batches}_${i}`,
          type: 'send',
          ts: new Date().toISOString(),
          user_id: `live_${i}`,
          campaign_id: 'live',
        }));
        const res = await call('POST', '/v1/events', keys.sender, events);
        assert.equal(res.status, 202, res.text);
        batches++;
      }
    })();
    while (batches < 2) await new Promise((r) => setTimeout(r, 10));
    const manifest = await backupWarehouse(t.wh, { dir: path.join(runDir, 'live') });
    const duringBackup = batches;
    while (batches < duringBackup + 2) await new Promise((r) => setTimeout(r, 10));
    writing = false;
    await writer;
    const after = (await dumpAll(t.wh, t.wh.database)).events!.length;
    const saved = Number(manifest.tables.find((x) => x.name === 'events')!.rows);
    assert.ok(saved > before && saved < after, `the backup holds the events written before it (${before} < ${saved} < ${after})`);
    assert.equal((saved - before) % 50, 0, 'whole inserts only');
    // The restore checks every table against the manifest; the events are exactly the first batches.
    const target = await emptyDatabase('live');
    const result = await restoreWarehouse(target, { dir: path.join(runDir, 'live') });
    assert.deepEqual(result.tables, manifest.tables);
    const [sends] = await target.query<{ n: string }>(`SELECT count() AS n FROM ${target.database}.events WHERE workspace_id = 'bk_live'`);
    assert.equal(Number(sends!.n), saved - before);
  });
});
