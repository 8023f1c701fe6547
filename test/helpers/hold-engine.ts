/**
 * A second process on an embedded data directory, for the start-up failure tests: opens the engine at
 * $DATA_DIR (migrating it), optionally records a migration this code does not know (`--newer`), prints
 * "open" and holds the directory until its stdin closes.
 */
import { loadConfig } from '../../config/config.ts';
import { migrate } from '../../warehouse/migrations.ts';
import { formatTs } from '../../warehouse/time.ts';
import { openWarehouse } from '../../warehouse/warehouse.ts';

const wh = await openWarehouse(loadConfig().warehouse);
await migrate(wh);
if (process.argv.includes('--newer')) {
  await wh.insert('schema_migrations', [{ version: '9999', name: '9999_from_the_future', checksum: 'x', applied_at: formatTs(Date.now()) }]);
}
process.stdout.write('open\n');
process.stdin.resume();
process.stdin.on('end', () => void wh.close().then(() => process.exit(0)));
