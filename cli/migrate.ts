import { loadConfig } from '../config/config.ts';
import { migrate } from '../warehouse/migrations.ts';
import { openWarehouse } from '../warehouse/warehouse.ts';

/** `smsp migrate`: applies pending migrations and says which. */
export async function migrateCommand(): Promise<void> {
  const config = loadConfig();
  const warehouse = await openWarehouse(config.warehouse);
  try {
    const applied = await migrate(warehouse);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
  } finally {
    await warehouse.close();
  }
}
