/**
 * Test warehouses: one embedded data directory shared by the test processes of a lane (they run one at a
 * time, since libchdb binds one directory per process; scripts/test.ts gives each lane its own in
 * SMSP_TEST_DATA_DIR) and one database per test file.
 * With CLICKHOUSE_URL set, the same tests run against that server.
 */
import path from 'node:path';
import { loadConfig, type AppConfig } from '../../config/config.ts';
import { migrate } from '../../warehouse/migrations.ts';
import { openWarehouse, type Warehouse } from '../../warehouse/warehouse.ts';

export const TEST_DATA_DIR = path.resolve(process.env.SMSP_TEST_DATA_DIR ?? 'data/test');

export function testConfig(name: string, env: NodeJS.ProcessEnv = {}): AppConfig {
  const config = loadConfig({ DATA_DIR: TEST_DATA_DIR, CLICKHOUSE_URL: process.env.CLICKHOUSE_URL, LOG_LEVEL: 'silent', ...env });
  config.warehouse.database = `test_${name}_${process.pid}`;
  return config;
}

/** A fresh, migrated database for one test file. */
export async function openTestWarehouse(name: string, env: NodeJS.ProcessEnv = {}): Promise<Warehouse> {
  const wh = await openWarehouse(testConfig(name, env).warehouse);
  await migrate(wh);
  return wh;
}

/** Drops the test database; refuses any database whose name does not mark it as a test's. */
export async function dropTestDatabase(wh: Warehouse): Promise<void> {
  if (!/^test_[a-z0-9_]+$/.test(wh.database)) throw new Error(`refusing to drop ${wh.database}: not a test database`);
  await wh.ddl(`DROP DATABASE IF EXISTS ${wh.database}`);
  await wh.close();
}
