import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listRules } from '../../analytics/alerts.ts';
import { LEGACY_METADATA_TABLES, mergeMetadataTables } from '../../warehouse/metadata-merge.ts';
import { MetadataStore } from '../../warehouse/metadata-store.ts';
import { listMigrations, migrate } from '../../warehouse/migrations.ts';
import { formatTs } from '../../warehouse/time.ts';
import { openWarehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, testConfig } from '../helpers/warehouse.ts';

describe('migration 0016: one metadata table', () => {
  it('0016 moves every row of the seven metadata tables into one table, the __defaults__ marker into alert settings, and can run again', async () => {
    const old = await openWarehouse(testConfig('migrations_upgrade').warehouse);
    try {
      await migrate(
        old,
        listMigrations().filter((f) => f.version < '0016'),
      );
      // Rows as earlier versions wrote them: several versions, a tombstone, a version stored twice, two workspaces.
      const row = (ws: string, id: string, version: number, spec: object, extra: { deleted?: number; ms?: number; name?: string; by?: string } = {}) => ({
        workspace_id: ws,
        id,
        version,
        name: extra.name ?? `${id} v${version}`,
        spec: JSON.stringify(spec),
        deleted: extra.deleted ?? 0,
        changed_at: formatTs(extra.ms ?? Date.parse('2025-03-01T00:00:00Z') + version * 1000),
        changed_by: extra.by ?? 'k1',
      });
      const rule = {
        metric: 'delivery_rate',
        kind: 'threshold',
        interval: 'hour',
        threshold: { below: 0.9 },
        min_volume: 100,
        sensitivity: 3,
        weeks: 4,
        cooldown_hours: 6,
        enabled: true,
      };
      const legacy: Record<(typeof LEGACY_METADATA_TABLES)[number], ReturnType<typeof row>[]> = {
        workspaces: [row('w1', 'settings', 1, { timezone: 'UTC', locale: 'en' })],
        segments: [
          row('w1', 's1', 1, { rule: { attr: 'city', op: 'eq', value: 'a' } }),
          row('w1', 's1', 2, { rule: { attr: 'city', op: 'eq', value: 'b' } }),
          row('w2', 's1', 1, { rule: {} }),
        ],
        audiences: [row('w1', 's1', 1, { version: 1, size: 3 }), row('w1', 's1', 2, { version: 1, size: 3 }, { deleted: 1 })],
        experiments: [
          row('w1', 'e1', 1, { status: 'draft' }),
          row('w1', 'e1', 2, { status: 'running' }, { ms: 1 }),
          row('w1', 'e1', 2, { status: 'running' }, { ms: 2 }),
        ],
        alert_rules: [
          row('w1', 'r-default', 1, rule, { by: 'defaults' }),
          row('w1', 'r-default', 2, { ...rule, enabled: false }),
          row('w1', '__defaults__', 1, { marker: true }, { name: 'defaults created', by: 'defaults', ms: Date.parse('2025-02-01T10:00:00Z') }),
          row('w2', 'r-own', 1, rule),
        ],
        cluster_models: [row('w1', 'm1', 1, { k: 4 })],
        alerts: [
          row('w1', 'a1', 1, { rule_id: 'r-default', status: 'open', bucket: '2025-03-01T00:00:00.000Z' }),
          row('w1', 'a1', 2, { rule_id: 'r-default', status: 'acked', bucket: '2025-03-01T00:00:00.000Z' }),
        ],
      };
      for (const [table, rows] of Object.entries(legacy)) await old.insert(table, rows);

      // 0016 first, then whatever came after it.
      assert.deepEqual(
        (await migrate(old)).filter((name) => name <= '0016_~'),
        ['0016_metadata_one_table'],
      );
      const stored = await old.query<Record<string, unknown>>(
        'SELECT workspace_id, kind, id, version, name, spec, deleted, toString(changed_at) AS changed_at, changed_by FROM metadata ORDER BY ALL',
      );
      // Independently: every old row but the marker, under its table's name as kind, nothing more.
      const expected = Object.entries(legacy)
        .flatMap(([kind, rows]) => rows.filter((r) => r.id !== '__defaults__').map((r) => ({ ...r, kind })))
        .concat([
          {
            workspace_id: 'w1',
            kind: 'alert_settings',
            id: 'alert_settings',
            version: 1,
            name: 'alert settings',
            spec: '{"default_rules":"saved"}',
            deleted: 0,
            changed_at: '2025-02-01 10:00:00.000',
            changed_by: 'defaults',
          },
        ]);
      const key = (r: Record<string, unknown>) =>
        JSON.stringify([r.workspace_id, r.kind, r.id, Number(r.version), r.name, r.spec, Number(r.deleted), r.changed_at, r.changed_by]);
      assert.deepEqual(stored.map(key).sort(), expected.map(key).sort());
      const tables = (await old.query<{ name: string }>('SELECT name FROM system.tables WHERE database = currentDatabase()')).map((r) => r.name);
      for (const t of LEGACY_METADATA_TABLES) assert.ok(!tables.includes(t), `${t} dropped after the copy`);

      // Read through the stores: w1 keeps its saved defaults (no built-ins doubled in), w2 gets the built-ins beside its own rule.
      assert.deepEqual(
        (await listRules(old, 'w1')).map((r) => [r.id, r.version, r.spec.enabled]),
        [['r-default', 2, false]],
      );
      assert.deepEqual(
        (await listRules(old, 'w2')).map((r) => r.id),
        ['default_click_rate', 'default_complaint_rate', 'default_conversion_rate', 'default_delivery_rate', 'default_send_success_rate', 'r-own'],
      );
      assert.deepEqual(
        (await new MetadataStore(old, 'segments').history('w1', 's1')).map((h) => h.name),
        ['s1 v1', 's1 v2'],
      );
      assert.equal(await new MetadataStore(old, 'audiences').get('w1', 's1'), undefined, 'the tombstone still deletes');
      assert.equal(
        (await new MetadataStore(old, 'experiments').history('w1', 'e1')).at(-1)?.changed_at,
        new Date(1).toISOString(),
        'a version stored twice reads as its earliest row',
      );

      // A crash after part of a copy: the old table is back with all its rows, some already copied. Running the step
      // again copies only the missing ones, and running it once more changes nothing.
      await old.ddl(
        "CREATE TABLE segments (workspace_id LowCardinality(String), id String, version UInt32, name String, spec String, deleted UInt8, changed_at DateTime64(3, 'UTC'), changed_by String) ENGINE = MergeTree ORDER BY (workspace_id, id, version)",
      );
      const extra = row('w1', 's2', 1, { rule: {} });
      await old.insert('segments', [...legacy.segments, extra]);
      await mergeMetadataTables(old);
      await mergeMetadataTables(old);
      const segments = await old.query<Record<string, unknown>>(
        "SELECT workspace_id, kind, id, version, name, spec, deleted, toString(changed_at) AS changed_at, changed_by FROM metadata WHERE kind = 'segments'",
      );
      assert.deepEqual(segments.map(key).sort(), [...legacy.segments, extra].map((r) => key({ ...r, kind: 'segments' })).sort());
      assert.equal(
        Number((await old.query<{ n: string }>("SELECT count() AS n FROM metadata WHERE kind = 'alert_settings'"))[0]!.n),
        1,
        'the marker made one settings record',
      );
    } finally {
      await dropTestDatabase(old);
    }
  });
});
