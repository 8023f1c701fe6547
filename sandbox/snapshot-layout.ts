/**
 * Where a workspace's SQL snapshots live: `<SQL_SNAPSHOT_DIR>/<hash of database and workspace>/<variant>/`, holding
 * `current.json` (the manifest of the published generation) and the generation directories `g-*` it names. A query's
 * DuckDB may open only its generation's directory, so nothing else (another workspace, the other variant, the
 * manifest, the hashing salt) is reachable from its SQL.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** `full` carries phone numbers as stored; `masked` is what roles without phone access may read (access/pii-policy.ts). */
export type SnapshotVariant = 'full' | 'masked';

export interface SnapshotTable {
  name: string;
  rows: number;
  /** Parquet files, relative to the generation directory. */
  files: string[];
}

export interface EventMonth {
  month: number;
  rows: number;
  digest: string;
}

export interface SnapshotManifest {
  generation: string;
  variant: SnapshotVariant;
  taken_at: string;
  /** Seconds the refresh took. */
  seconds: number;
  tables: SnapshotTable[];
  event_months: EventMonth[];
}

/** The directory of one workspace's snapshots of one variant. */
export function variantDir(root: string, database: string, workspaceId: string, variant: SnapshotVariant): string {
  // Hashed, so a workspace id never becomes a path (no traversal, no odd characters) and two databases never share one.
  const key = crypto.createHash('sha256').update(`${database}\0${workspaceId}`).digest('hex').slice(0, 32);
  return path.join(root, key, variant);
}

export const manifestPath = (dir: string) => path.join(dir, 'current.json');

/** The published manifest, or undefined before the first snapshot (or when it cannot be read). */
export function readManifest(dir: string): SnapshotManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(manifestPath(dir), 'utf8')) as SnapshotManifest;
  } catch {
    return undefined;
  }
}

/** Publishes `manifest` at once: a reader sees the previous one or this one, never part of either. */
export function publishManifest(dir: string, manifest: SnapshotManifest): void {
  const tmp = `${manifestPath(dir)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(manifest));
  fs.renameSync(tmp, manifestPath(dir));
}

/**
 * The installation's secret salt for phone hashes, created once (mode 0600) beside the workspace directories: unsalted,
 * every mainland number's hash could be recomputed in minutes.
 */
export function hashSalt(root: string): string {
  const file = path.join(root, 'phone-hash-salt');
  fs.mkdirSync(root, { recursive: true });
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return fs.readFileSync(file, 'utf8').trim();
}
