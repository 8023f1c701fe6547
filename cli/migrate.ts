import { loadConfig } from '../config/config.ts';
import { settleUnfinishedImports } from '../ingest/imports/import-jobs.ts';
import { migrate } from '../warehouse/migrations.ts';
import { assertDataDirFree } from './server-record.ts';
import { openWarehouse } from '../warehouse/warehouse.ts';

/** `smsp migrate`: applies pending migrations and says which. */
export async function migrateCommand(): Promise<void> {
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
