import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exitCodeOf, type AppError } from '../../common/errors.ts';
import { renderMigration, splitStatements } from '../../warehouse/ddl-render.ts';
import { LEGACY_METADATA_TABLES } from '../../warehouse/metadata-merge.ts';
import { listMigrations, migrate, migrationStatus } from '../../warehouse/migrations.ts';
import { openWarehouse, type Warehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, testConfig } from '../helpers/warehouse.ts';

describe('migrations', () => {
  let wh: Warehouse;
  before(async () => {
    wh = await openWarehouse(testConfig('migrations').warehouse);
  });
  after(() => dropTestDatabase(wh));

  it('applies every file once, then nothing on a second run', async () => {
    const files = listMigrations();
    assert.ok(files.length >= 3);
    assert.deepEqual(
      await migrate(wh),
      files.map((f) => f.name),
    );
    assert.deepEqual(await migrate(wh), []);
    assert.deepEqual(await migrationStatus(wh), { applied: files.map((f) => f.name), pending: [], unknown: [] });
    const tables = await wh.query<{ name: string }>('SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name');
    for (const t of ['events', 'contacts', 'tags', 'suppressions', 'metadata', 'api_keys', 'version_claims']) {
      assert.ok(
        tables.some((r) => r.name === t),
        `table ${t} exists`,
      );
    }
    // Every versioned object lives in `metadata` since 0016: the seven tables of one shape are gone.
    for (const t of LEGACY_METADATA_TABLES) assert.ok(!tables.some((r) => r.name === t), `table ${t} was merged into metadata`);
  });

  it('is safe when two runners start together on one database', async () => {
    const config = testConfig('migrations_race').warehouse;
    const [a, b] = await Promise.all([openWarehouse(config), openWarehouse(config)]);
    try {
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      const names = listMigrations().map((f) => f.name);
      // Between them every migration was applied; both may have run a statement, none failed.
      assert.deepEqual([...new Set([...ra, ...rb])].sort(), names);
      const records = await a.query<{ version: string; n: string }>('SELECT version, count() AS n FROM schema_migrations FINAL GROUP BY version');
      assert.equal(records.length, names.length);
      assert.ok(
        records.every((r) => Number(r.n) === 1),
        'one record per migration after FINAL',
      );
      assert.deepEqual(await migrate(a), []);
    } finally {
      await b.close();
      await dropTestDatabase(a);
    }
  });

  it('every statement is idempotent: running all of them again changes nothing and fails nowhere', async () => {
    for (const file of listMigrations()) {
      for (const stmt of splitStatements(file.source))
        assert.match(
          stmt.text,
          /^(CREATE (TABLE|MATERIALIZED VIEW|VIEW) IF NOT EXISTS|ALTER TABLE \w+ (ADD|DROP|MODIFY) \w+ IF (NOT )?EXISTS)/,
          `${file.name}: ${stmt.text.slice(0, 50)}`,
        );
      for (const stmt of renderMigration(file.source, { vars: { event_retention_months: 25 } })) await wh.ddl(stmt);
    }
    assert.deepEqual(await migrate(wh), []);
  });

  it('refuses to run when an applied migration file was edited', async () => {
    const files = listMigrations();
    const edited = files.map((f, i) => (i === 0 ? { ...f, checksum: 'edited' } : f));
    await assert.rejects(migrate(wh, edited), /0001_events was changed after it was applied/);
  });

  it('refuses a database a newer version migrated (applied versions it has no file for), before changing anything', async () => {
    const files = listMigrations();
    // What an older smsp sees: its files end one migration earlier than what the database recorded.
    const older = files.slice(0, -1);
    const newest = files.at(-1)!;
    const tablesBefore = await wh.query('SELECT name, metadata_modification_time FROM system.tables WHERE database = currentDatabase() ORDER BY name');
    await assert.rejects(migrate(wh, older), (err: AppError) => {
      assert.equal(err.code, 'SCHEMA_TOO_NEW');
      assert.equal(exitCodeOf(err), 5);
      assert.match(err.message, new RegExp(`does not know \\(${newest.version}\\): a newer version wrote it`));
      return true;
    });
    assert.deepEqual(
      await wh.query('SELECT name, metadata_modification_time FROM system.tables WHERE database = currentDatabase() ORDER BY name'),
      tablesBefore,
    );
    assert.deepEqual(await migrationStatus(wh, older), { applied: older.map((f) => f.name), pending: [], unknown: [newest.version] });
  });

  it('keeps the events TTL equal to the configured retention (default 25 months, at least 2 years)', async () => {
    await migrate(wh); // a no-op after the tests above; run alone, this test migrates its database itself
    const ttl = async () =>
      (await wh.query<{ engine_full: string }>("SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'events'"))[0]!.engine_full;
    assert.match(await ttl(), /TTL toDateTime\(ts\) \+ toIntervalMonth\(25\)/);
    const longer = await openWarehouse({ ...wh.config, eventRetentionMonths: 36 });
    try {
      await migrate(longer);
      assert.match(await ttl(), /toIntervalMonth\(36\)/);
      // The contact rollups keep their days as long as the events.
      for (const table of ['contact_daily', 'contact_daily_dims']) {
        const [row] = await wh.query<{ engine_full: string }>(
          'SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = {table:String}',
          { table },
        );
        assert.match(row!.engine_full, /TTL toDateTime\(day\) \+ toIntervalMonth\(36\)/, table);
      }
    } finally {
      await longer.close();
    }
    assert.throws(() => testConfig('x', { EVENT_RETENTION_MONTHS: '12' }), /at least 24/);
  });
});
