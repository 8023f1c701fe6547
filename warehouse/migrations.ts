/**
 * Schema migrations: ordered sql/migrations/NNNN_name.sql files, each applied once and recorded in
 * schema_migrations with its checksum.
 *
 * Safe to run twice and from two processes at once: every statement is idempotent (IF NOT EXISTS,
 * checked by a test), and the record table is a ReplacingMergeTree keyed by version, so two runners
 * that race apply the same harmless DDL and leave one record.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errors } from '../common/errors.ts';
import { localTable, runDdl } from './cluster-ddl.ts';
import { renderMigration } from './ddl-render.ts';
import { processLocks } from './keyed-mutex.ts';
import { MIGRATION_STEPS, type MigrationStep } from './migration-steps.ts';
import { SQL_DIR, sql } from './sql-files.ts';
import { formatTs } from './time.ts';
import type { Warehouse } from './warehouse.ts';

export interface MigrationFile {
  version: string;
  name: string;
  source: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  /** Versions recorded as applied that this code has no file for: a newer version migrated the database. */
  unknown: string[];
}

const MIGRATIONS_DIR = path.join(SQL_DIR, 'migrations');

/** The migration files in order. */
export function listMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      return {
        version: file.slice(0, 4),
        name: file.replace(/\.sql$/, ''),
        source,
        checksum: crypto.createHash('sha256').update(source).digest('hex'),
      };
    });
}

const RECORD_TABLE = `-- @shard_by cityHash64(version)
CREATE TABLE IF NOT EXISTS schema_migrations
(
    version String,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(applied_at)
ORDER BY version;`;

function renderVars(wh: Warehouse) {
  return { event_retention_months: wh.config.eventRetentionMonths };
}

async function ensureRecordTable(wh: Warehouse): Promise<void> {
  for (const stmt of renderMigration(RECORD_TABLE, { cluster: wh.config.cluster, vars: {} })) await wh.ddl(stmt);
}

async function appliedChecksums(wh: Warehouse): Promise<Map<string, string>> {
  const rows = await wh.query<{ version: string; checksum: string }>(sql('migrations/applied'));
  return new Map(rows.map((r) => [r.version, r.checksum]));
}

/** Which migrations are recorded as applied and which are not. Read-only (readiness probes call it). */
export async function migrationStatus(wh: Warehouse, files = listMigrations()): Promise<MigrationStatus> {
  const [table] = await wh.query(sql('migrations/table-engine'), { table: 'schema_migrations' });
  const applied = table ? await appliedChecksums(wh) : new Map<string, string>();
  return {
    applied: files.filter((f) => applied.has(f.version)).map((f) => f.name),
    pending: files.filter((f) => !applied.has(f.version)).map((f) => f.name),
    unknown: unknownVersions(applied, files),
  };
}

/** Applied versions without a file here, in order. */
function unknownVersions(applied: ReadonlyMap<string, string>, files: readonly MigrationFile[]): string[] {
  const known = new Set(files.map((f) => f.version));
  return [...applied.keys()].filter((v) => !known.has(v)).sort();
}

/**
 * Applies every pending migration in order; returns the names it applied. Runners in one process take
 * turns (data steps move rows and must not interleave); the embedded engine allows one process per data
 * directory, and against a server one process should migrate before the others start.
 */
export async function migrate(wh: Warehouse, files = listMigrations(), steps: Readonly<Record<string, MigrationStep>> = MIGRATION_STEPS): Promise<string[]> {
  return processLocks.run(`migrate:${wh.database}`, () => migrateAlone(wh, files, steps));
}

async function migrateAlone(wh: Warehouse, files: MigrationFile[], steps: Readonly<Record<string, MigrationStep>>): Promise<string[]> {
  await ensureRecordTable(wh);
  const applied = await appliedChecksums(wh);
  // A database a newer version migrated is refused before anything is changed: this code would write the
  // old shapes into it (and its missing data steps would never run).
  const unknown = unknownVersions(applied, files);
  if (unknown.length) throw errors.schemaTooNew(unknown);
  const changed = files.find((f) => applied.has(f.version) && applied.get(f.version) !== f.checksum);
  if (changed) throw errors.migrationChanged(changed.name);
  const done: string[] = [];
  for (const file of files) {
    if (applied.has(file.version)) continue;
    const step = steps[file.version];
    await step?.before?.(wh);
    for (const stmt of renderMigration(file.source, { cluster: wh.config.cluster, vars: renderVars(wh) })) {
      await wh.ddl(stmt);
    }
    await step?.after?.(wh);
    await wh.insert('schema_migrations', [{ version: file.version, name: file.name, checksum: file.checksum, applied_at: formatTs(Date.now()) }]);
    done.push(file.name);
  }
  await syncEventRetention(wh);
  return done;
}

/**
 * Keeps the events TTL equal to the configured retention, so changing EVENT_RETENTION_MONTHS
 * after the table exists takes effect at the next start.
 */
async function syncEventRetention(wh: Warehouse): Promise<void> {
  const months = wh.config.eventRetentionMonths;
  for (const [name, ttl] of RETAINED_TABLES) {
    const table = localTable(wh, name);
    const [row] = await wh.query<{ engine_full: string }>(sql('migrations/table-engine'), { table });
    if (row && !row.engine_full.includes(`toIntervalMonth(${months})`)) await runDdl(wh, 'migrations/modify-ttl', { table, ttl, months: String(months) });
  }
}

/** Tables that keep rows as long as events are kept, with the instant each row's age counts from. */
const RETAINED_TABLES: ReadonlyArray<readonly [string, string]> = [
  ['events', 'toDateTime(ts)'],
  // The per-contact daily rollups (0012) likewise: a window read from them and from raw events agrees.
  ['contact_daily', 'toDateTime(day)'],
  ['contact_daily_dims', 'toDateTime(day)'],
  // The hourly metric counters (0013) expire with the events they count, so a read from either agrees.
  ['metrics_hourly', 'hour'],
  ['metrics_hourly_slim', 'hour'],
];
