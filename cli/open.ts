/** Start-up shared by commands: configuration, warehouse, migrations, bootstrap admin key. */
import { bootstrapAdminKey } from '../access/api-keys.ts';
import { loadConfig, type AppConfig } from '../config/config.ts';
import { settleUnfinishedImports } from '../ingest/imports/import-jobs.ts';
import { migrate } from '../warehouse/migrations.ts';
import { openWarehouse, type Warehouse } from '../warehouse/warehouse.ts';
import { assertDataDirFree } from './server-record.ts';

export interface Opened {
  config: AppConfig;
  warehouse: Warehouse;
}

export async function openPlatform(overrides: Partial<AppConfig['server']> = {}): Promise<Opened> {
  const loaded = loadConfig();
  const config = { ...loaded, server: { ...loaded.server, ...overrides } };
  // The embedded engine allows one process per data directory: say so plainly when a server holds it.
  if (!config.warehouse.url) assertDataDirFree(config.dataDir);
  const warehouse = await openWarehouse(config.warehouse);
  const applied = await migrate(warehouse);
  if (applied.length) process.stderr.write(`applied migrations: ${applied.join(', ')}\n`);
  // A contact import a crash cut short is completed (or, if it was still staging, discarded) now.
  const imports = await settleUnfinishedImports(warehouse);
  if (imports.resumed.length) process.stderr.write(`completed interrupted contact imports: ${imports.resumed.join(', ')}\n`);
  if (imports.discarded.length) process.stderr.write(`discarded unfinished contact imports: ${imports.discarded.join(', ')}\n`);
  const boot = await bootstrapAdminKey(warehouse, { adminApiKey: config.adminApiKey, dataDir: config.dataDir });
  if (boot.generatedKey) {
    process.stderr.write(`\nAdmin API key of workspace "default" (shown once; also saved to ${boot.keyFile}, mode 0600):\n\n  ${boot.generatedKey}\n\n`);
  }
  if (boot.revokedRootKeys) {
    process.stderr.write(`ADMIN_API_KEY is the root key of workspace "default": revoked ${boot.revokedRootKeys} other root key(s)\n`);
  }
  return { config, warehouse };
}
