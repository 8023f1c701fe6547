/**
 * `smsp backup DIR [--base DIR]` and `smsp restore DIR [--force]`, offline: this process opens the engine itself
 * (with a server running on the data directory, a backup is made through its `POST /v1/admin/backups`). The
 * operator chooses any directory here, so the engine is allowed to write backups anywhere on this machine.
 */
import path from 'node:path';
import { loadConfig, type AppConfig } from '../config/config.ts';
import type { TableFingerprint } from '../warehouse/backup-manifest.ts';
import { backupWarehouse, restoreWarehouse } from '../warehouse/backup.ts';
import { openWarehouse, type Warehouse } from '../warehouse/warehouse.ts';
import { stringFlag, UsageError, type Flags } from './args.ts';
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

function printTables(tables: TableFingerprint[]): void {
  const width = Math.max(...tables.map((t) => t.name.length));
  for (const t of tables) process.stdout.write(`  ${t.name.padEnd(width)}  ${t.rows.padStart(12)} rows  checksum ${t.checksum}\n`);
}

function onlyDir(positionals: string[], usage: string): string {
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError(usage);
  return positionals[0];
}

export async function backupCommand(flags: Flags, positionals: string[]): Promise<void> {
  const dir = path.resolve(onlyDir(positionals, 'usage: smsp backup DIR [--base DIR]'));
  const base = stringFlag(flags, 'base');
  const manifest = await withOfflineWarehouse(dir, (wh) => backupWarehouse(wh, { dir, base }));
  process.stdout.write(`backed up database ${manifest.database} to ${dir}${manifest.base ? ` (incremental on ${manifest.base.dir})` : ''}:\n`);
  printTables(manifest.tables);
}

export async function restoreCommand(flags: Flags, positionals: string[]): Promise<void> {
  const dir = path.resolve(onlyDir(positionals, 'usage: smsp restore DIR [--force]'));
  const result = await withOfflineWarehouse(dir, (wh) => restoreWarehouse(wh, { dir, force: flags.force === true }));
  process.stdout.write(`restored database ${result.manifest.database} from ${dir} (made ${result.manifest.created_at}); every table matches the manifest:\n`);
  printTables(result.tables);
}
