/**
 * The manifest written beside every backup (`smsp-backup.json`): what the backup holds (each table's rows and
 * checksum, read from the backup's own files), what it builds on, and which engine and schema wrote it. It is
 * sealed with a SHA-256 of its content, so an altered or truncated manifest is refused rather than trusted.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errors } from '../common/errors.ts';

export const MANIFEST_FILE = 'smsp-backup.json';
const FORMAT = 'smsp-backup/1';

export interface TableFingerprint {
  name: string;
  /** UInt64 counts and checksums as decimal text (JSON numbers would round them). */
  rows: string;
  checksum: string;
}

export interface BackupBase {
  /** Absolute directory of the backup this one builds on (the engine reads its parts from there). */
  dir: string;
  /** The seal of the base's manifest when this backup was made: a replaced base is detected. */
  seal: string;
}

export interface BackupManifest {
  format: typeof FORMAT;
  created_at: string;
  database: string;
  engine: 'embedded' | 'server';
  engine_version: string;
  /** The newest applied migration: a restore into an older platform version is visible before it starts. */
  migration_version: string | null;
  base: BackupBase | null;
  tables: TableFingerprint[];
  /** SHA-256 of the manifest without this field. */
  seal: string;
}

const sealOf = (unsealed: Omit<BackupManifest, 'seal'>): string => crypto.createHash('sha256').update(JSON.stringify(unsealed)).digest('hex');

export function sealManifest(unsealed: Omit<BackupManifest, 'seal'>): BackupManifest {
  return { ...unsealed, seal: sealOf(unsealed) };
}

export function writeManifest(dir: string, manifest: BackupManifest): void {
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
}

const isText = (v: unknown): v is string => typeof v === 'string';
const isUInt64Text = (v: unknown): v is string => isText(v) && /^\d{1,20}$/.test(v);

function shapeProblem(m: Record<string, unknown>): string | undefined {
  if (m.format !== FORMAT) return `format is not ${FORMAT}`;
  if (!isText(m.database) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(m.database)) return 'database is not an identifier';
  if (!isText(m.seal) || !isText(m.created_at) || !isText(m.engine_version)) return 'seal, created_at or engine_version is missing';
  if (!Array.isArray(m.tables)) return 'tables is not a list';
  for (const t of m.tables as Record<string, unknown>[]) {
    if (!t || !isText(t.name) || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(t.name) || !isUInt64Text(t.rows) || !isUInt64Text(t.checksum)) {
      return 'a table entry is malformed';
    }
  }
  const base = m.base as Record<string, unknown> | null;
  if (base !== null && (!base || !isText(base.dir) || !isText(base.seal))) return 'base is malformed';
  return undefined;
}

/** Reads and checks the manifest of the backup in `dir`; anything unreadable, malformed or altered is BACKUP_INVALID. */
export function readManifest(dir: string): BackupManifest {
  const file = path.join(dir, MANIFEST_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw errors.backupInvalid(missing ? `${dir} holds no backup manifest (${MANIFEST_FILE})` : `the backup manifest ${file} is not readable JSON`);
  }
  const problem = parsed && typeof parsed === 'object' ? shapeProblem(parsed as Record<string, unknown>) : 'it is not an object';
  if (problem) throw errors.backupInvalid(`the backup manifest ${file} is malformed: ${problem}`);
  const { seal, ...unsealed } = parsed as BackupManifest;
  if (sealOf(unsealed) !== seal) throw errors.backupInvalid(`the backup manifest ${file} was altered after it was written (its seal does not match)`);
  return parsed as BackupManifest;
}
