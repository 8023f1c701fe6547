import type { PlatformStatus } from '../analytics/platform-status.ts';
import { loadConfig } from '../config/config.ts';
import { settleUnfinishedImports } from '../ingest/imports/import-jobs.ts';
import { migrate } from '../warehouse/migrations.ts';
import { openWarehouse } from '../warehouse/warehouse.ts';
import { serverClient } from './server-client.ts';
import { assertDataDirFree } from './server-record.ts';

/**
 * `smsp migrate`: applies pending migrations and says which. A running server applied them when it started
 * (and holds the engine): beside it, the command reports the server's schema instead.
 */
export async function migrateCommand(): Promise<void> {
  const server = serverClient();
  if (server) {
    const { migrations } = await server.json<PlatformStatus>('GET', '/status');
    process.stdout.write(
      migrations.pending === 0
        ? `schema is up to date (the server at ${server.target.url} applied ${migrations.applied} migrations, latest ${migrations.latest})\n`
        : `the server at ${server.target.url} has ${migrations.pending} migration(s) pending: restart it to apply them\n`,
    );
    return;
  }
  const config = loadConfig();
  if (!config.warehouse.url) assertDataDirFree(config.dataDir);
  const warehouse = await openWarehouse(config.warehouse);
  try {
    const applied = await migrate(warehouse);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
    // Like every start: a contact import a crash cut short is completed (or discarded) now.
    const imports = await settleUnfinishedImports(warehouse);
    if (imports.resumed.length + imports.discarded.length)
      process.stderr.write(`contact imports completed: ${imports.resumed.length}, discarded: ${imports.discarded.length}\n`);
  } finally {
    await warehouse.close();
  }
}
