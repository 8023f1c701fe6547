/**
 * `smsp backup DIR [--base DIR]` and `smsp restore DIR [--force]`. Without a server this process opens the engine
 * itself; beside a running server (or with SMSP_URL) a backup is made by the server (`POST /v1/admin/backups`, root
 * key, inside its BACKUP_ROOT) and a restore is refused (it needs the server stopped). The
 * operator chooses any directory here, so the engine is allowed to write backups anywhere on this machine.
 */
import path from 'node:path';
import { backupAnswer, type BackupAnswer } from '../api/routes/backups.ts';
import { loadConfig, type AppConfig } from '../config/config.ts';
import type { TableFingerprint } from '../warehouse/backup-manifest.ts';
import { backupWarehouse, restoreWarehouse } from '../warehouse/backup.ts';
import { openWarehouse, type Warehouse } from '../warehouse/warehouse.ts';
import { stringFlag, UsageError, type Flags } from './args.ts';
import { printResult } from './output.ts';
import { serverClient } from './server-client.ts';
import { assertDataDirFree } from './server-record.ts';

async function withOfflineWarehouse<T>(dir: string, use: (wh: Warehouse) => Promise<T>): Promise<T> {
  const loaded = loadConfig();
  const config: AppConfig = { ...loaded, warehouse: { ...loaded.warehouse, backupRoot: path.parse(path.resolve(dir)).root } };
  if (!config.warehouse.url) assertDataDirFree(config.dataDir);
  const warehouse = await openWarehouse(config.warehouse);
  try {
    return await use(warehouse);
  } finally {
    await warehouse.close();
  }
}

function tableLines(tables: TableFingerprint[]): string {
  const width = Math.max(...tables.map((t) => t.name.length));
  return tables.map((t) => `  ${t.name.padEnd(width)}  ${t.rows.padStart(12)} rows  checksum ${t.checksum}`).join('\n');
}

function onlyDir(positionals: string[], usage: string): string {
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError(usage);
  return positionals[0];
}

export async function backupCommand(flags: Flags, positionals: string[]): Promise<void> {
  const dir = path.resolve(onlyDir(positionals, 'usage: smsp backup DIR [--base DIR]'));
  const given = stringFlag(flags, 'base');
  const base = given === undefined ? undefined : path.resolve(given);
  // A running server holds the engine: it makes the backup (into its BACKUP_ROOT), consistent while it serves.
  const server = serverClient();
  const answer = server
    ? await server.json<BackupAnswer>('POST', '/admin/backups', { body: { dir, ...(base && { base }) } })
    : backupAnswer(dir, await withOfflineWarehouse(dir, (wh) => backupWarehouse(wh, { dir, base })));
  printResult(flags, answer, (a) => `backed up database ${a.database} to ${a.dir}${a.base ? ` (incremental on ${a.base})` : ''}:\n${tableLines(a.tables)}`);
}

export async function restoreCommand(flags: Flags, positionals: string[]): Promise<void> {
  const dir = path.resolve(onlyDir(positionals, 'usage: smsp restore DIR [--force]'));
  const result = await withOfflineWarehouse(dir, (wh) => restoreWarehouse(wh, { dir, force: flags.force === true }));
  process.stdout.write(`restored database ${result.manifest.database} from ${dir} (made ${result.manifest.created_at}); every table matches the manifest:\n`);
  process.stdout.write(`${tableLines(result.tables)}\n`);
}
