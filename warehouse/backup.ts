/**
 * Backup and restore of the whole database (events, contacts, tags, suppressions, metadata, audiences, rollups,
 * API keys, the migrations table) with the engine's own BACKUP / RESTORE, full or incremental on a base.
 *
 * The engine snapshots each table's parts when BACKUP starts, so writes during a backup land after it; the manifest's
 * counts and checksums are then read from the backup's own files (attached as a read-only `Backup` database), so they
 * describe exactly what was saved. A restore goes into an empty database, stops merges on the restored tables while
 * it compares every table with the manifest (a merge would fold rows of the summing and replacing tables), and
 * refuses a backup whose manifest or base was altered.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errors } from '../common/errors.ts';
import { readManifest, sealManifest, writeManifest, type BackupManifest, type TableFingerprint } from './backup-manifest.ts';
import { sql, sqlWithGenerated } from './sql-files.ts';
import type { QueryParams, Warehouse } from './warehouse.ts';

export interface BackupOptions {
  /** A new or empty directory (the engine must be allowed to write there: see `backupRoot`). */
  dir: string;
  /** An earlier backup of the same database: only what it lacks is written. */
  base?: string;
}

export interface RestoreOptions {
  dir: string;
  /** Replace a database that already holds tables (its content is dropped first). */
  force?: boolean;
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** The restored tables, each checked equal to the manifest. */
  tables: TableFingerprint[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quoted(name: string): string {
  // Names come from the configuration or from the engine's own catalogue; anything else is refused.
  if (!IDENTIFIER.test(name)) throw errors.backupInvalid(`${JSON.stringify(name)} is not a table or database name this platform creates`);
  return `\`${name}\``;
}

/** BACKUP, RESTORE and SYSTEM take no SETTINGS clause of query settings, so they bypass the query runner's. */
async function run(wh: Warehouse, name: string, slots: Record<string, string>, params: QueryParams = {}): Promise<void> {
  await wh.client.command({ query: sqlWithGenerated(name, slots), query_params: params });
}

async function tablesOf(wh: Warehouse, database: string, which: 'backups/data-tables' | 'backups/all-tables'): Promise<string[]> {
  const rows = await wh.query<{ name: string }>(sql(which), { database });
  return rows.map((r) => r.name);
}

async function fingerprints(wh: Warehouse, database: string): Promise<TableFingerprint[]> {
  const out: TableFingerprint[] = [];
  for (const name of await tablesOf(wh, database, 'backups/data-tables')) {
    // A whole-table scan: no time limit (the query runner's default would stop a large events table).
    const [row] = await wh.query<{ rows: string; checksum: string }>(
      sqlWithGenerated('backups/table-fingerprint', { table: `${quoted(database)}.${quoted(name)}` }),
      {},
      { timeoutSeconds: 0 },
    );
    out.push({ name, rows: row!.rows, checksum: row!.checksum });
  }
  return out;
}

/** Counts and checksums of what a backup holds, read from its files through a temporary read-only database. */
async function fingerprintsOfBackup(wh: Warehouse, database: string, dir: string): Promise<TableFingerprint[]> {
  const view = `${database}_backup_${crypto.randomBytes(4).toString('hex')}`;
  await run(wh, 'backups/attach-backup', { view: quoted(view) }, { database, dir });
  try {
    return await fingerprints(wh, view);
  } finally {
    await run(wh, 'backups/drop-database', { database: quoted(view) });
  }
}

function assertEmptyDirectory(dir: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw errors.backupRefused(`${dir} cannot be used for a backup: ${(err as Error).message}`);
  }
  if (entries.length) throw errors.backupRefused(`${dir} is not empty: a backup goes into a new or empty directory`);
}

/** The base's manifest, and every base below it, must be intact and unchanged since the backup on top was made. */
function checkBaseChain(manifest: BackupManifest): void {
  let base = manifest.base;
  const seen = new Set<string>();
  while (base) {
    if (seen.has(base.dir)) throw errors.backupInvalid(`the backup chain loops at ${base.dir}`);
    seen.add(base.dir);
    const below = readManifest(base.dir);
    if (below.seal !== base.seal) throw errors.backupInvalid(`the base backup ${base.dir} was replaced after the backup on top of it was made`);
    base = below.base;
  }
}

async function newestMigration(wh: Warehouse): Promise<string | null> {
  const rows = await wh.query<{ version: string }>(sql('migrations/applied'));
  return rows.at(-1)?.version ?? null;
}

/** Backs up the whole database into `dir` (incrementally on `base` when given) and writes its manifest there. */
export async function backupWarehouse(wh: Warehouse, opts: BackupOptions): Promise<BackupManifest> {
  if (wh.config.cluster) throw errors.backupRefused('a cluster is backed up with the cluster’s own tools (BACKUP ... ON CLUSTER), not by smsp');
  const dir = path.resolve(opts.dir);
  assertEmptyDirectory(dir);
  let base: BackupManifest['base'] = null;
  if (opts.base !== undefined) {
    const baseDir = path.resolve(opts.base);
    const below = readManifest(baseDir);
    if (below.database !== wh.database) throw errors.backupInvalid(`the base backup ${baseDir} is of database ${below.database}, not ${wh.database}`);
    checkBaseChain(below);
    base = { dir: baseDir, seal: below.seal };
  }
  const database = quoted(wh.database);
  if (base) await run(wh, 'backups/backup-database-incremental', { database }, { dir, base: base.dir });
  else await run(wh, 'backups/backup-database', { database }, { dir });
  const [engine] = await wh.query<{ version: string }>(sql('backups/engine-version'));
  const manifest = sealManifest({
    format: 'smsp-backup/1',
    created_at: new Date().toISOString(),
    database: wh.database,
    engine: wh.kind,
    engine_version: engine!.version,
    migration_version: await newestMigration(wh),
    base,
    tables: await fingerprintsOfBackup(wh, wh.database, dir),
  });
  writeManifest(dir, manifest);
  return manifest;
}

function describeMismatch(restored: TableFingerprint[], expected: TableFingerprint[]): string | undefined {
  const byName = new Map(restored.map((t) => [t.name, t]));
  for (const want of expected) {
    const got = byName.get(want.name);
    if (!got) return `table ${want.name} is missing`;
    if (got.rows !== want.rows || got.checksum !== want.checksum) {
      return `table ${want.name} has ${got.rows} rows (checksum ${got.checksum}), the manifest says ${want.rows} (checksum ${want.checksum})`;
    }
    byName.delete(want.name);
  }
  const extra = [...byName.keys()];
  return extra.length ? `tables not in the manifest: ${extra.join(', ')}` : undefined;
}

/**
 * Restores the backup in `dir` into the warehouse's database, which must hold no tables (or `force`), and checks
 * every restored table's rows and checksum against the manifest. Run it offline: nothing else may write meanwhile.
 */
export async function restoreWarehouse(wh: Warehouse, opts: RestoreOptions): Promise<RestoreResult> {
  if (wh.config.cluster) throw errors.backupRefused('a cluster is restored with the cluster’s own tools (RESTORE ... ON CLUSTER), not by smsp');
  const dir = path.resolve(opts.dir);
  const manifest = readManifest(dir);
  checkBaseChain(manifest);
  const target = quoted(wh.database);
  const existing = await tablesOf(wh, wh.database, 'backups/all-tables');
  if (existing.length && !opts.force) {
    throw errors.backupRefused(
      `database ${wh.database} already holds ${existing.length} tables: a restore goes into an empty database (a new DATA_DIR or CLICKHOUSE_DATABASE); --force drops its content first`,
    );
  }
  if (existing.length) {
    await run(wh, 'backups/drop-database', { database: target });
    await run(wh, 'backups/create-database', { database: target });
  }
  const slots = { source: quoted(manifest.database), target };
  await run(wh, 'backups/restore-structure', slots, { dir });
  const tables = await tablesOf(wh, wh.database, 'backups/data-tables');
  const merges = (action: 'STOP' | 'START') => Promise.all(tables.map((name) => run(wh, 'backups/merges', { action, table: `${target}.${quoted(name)}` })));
  await merges('STOP');
  try {
    await run(wh, 'backups/restore-data', slots, { dir });
    const restored = await fingerprints(wh, wh.database);
    const mismatch = describeMismatch(restored, manifest.tables);
    if (mismatch) throw errors.backupInvalid(`the restored data differs from the backup manifest: ${mismatch}`);
    return { manifest, tables: restored };
  } finally {
    await merges('START');
  }
}
