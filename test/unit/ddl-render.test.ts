import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMigration } from '../../warehouse/ddl-render.ts';
import { listMigrations } from '../../warehouse/migrations.ts';

const vars = { event_retention_months: 25 };
const source = (name: string) => listMigrations().find((f) => f.name === name)!.source;

describe('cluster DDL rendering', () => {
  it('leaves single-node DDL as written, with variables filled in', () => {
    const [events] = renderMigration(source('0001_events'), { vars });
    assert.match(events!, /^CREATE TABLE IF NOT EXISTS events\n\(/);
    assert.match(events!, /ENGINE = ReplacingMergeTree\(ingested_at\)/);
    assert.match(events!, /toIntervalMonth\(25\)/);
    assert.doesNotMatch(events!, /ON CLUSTER|\{\{/);
  });

  it('renders a Replicated local table and a Distributed table per table, ON CLUSTER', () => {
    const stmts = renderMigration(source('0001_events'), { cluster: 'analytics', vars });
    assert.equal(stmts.length, 2);
    assert.match(stmts[0]!, /^CREATE TABLE IF NOT EXISTS events_local ON CLUSTER analytics\n\(/);
    assert.ok(
      stmts[0]!.includes("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/events_local', '{replica}', ingested_at)"),
      stmts[0],
    );
    assert.doesNotMatch(stmts[0]!, /non_replicated_deduplication_window/);
    assert.equal(
      stmts[1],
      'CREATE TABLE IF NOT EXISTS events ON CLUSTER analytics AS events_local\n' +
        'ENGINE = Distributed(analytics, currentDatabase(), events_local, cityHash64(workspace_id, event_id))',
    );
  });

  it('replicates plain MergeTree metadata tables and points materialized views at local sources', () => {
    const meta = renderMigration(source('0003_metadata'), { cluster: 'c1', vars });
    assert.ok(meta.some((s) => s.includes("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/segments_local', '{replica}')")));
    assert.ok(
      meta.includes(
        'CREATE TABLE IF NOT EXISTS api_keys ON CLUSTER c1 AS api_keys_local\nENGINE = Distributed(c1, currentDatabase(), api_keys_local, cityHash64(workspace_id))',
      ),
    );
    const audience = renderMigration(source('0002_audience_data'), { cluster: 'c1', vars });
    const mv = audience.find((s) => s.startsWith('CREATE MATERIALIZED VIEW'))!;
    assert.match(mv, /^CREATE MATERIALIZED VIEW IF NOT EXISTS events_to_suppressions ON CLUSTER c1 TO suppressions AS/);
    assert.match(mv, /FROM events_local\n/);
    assert.ok(
      audience.some((s) => s.includes("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/tags_local', '{replica}', version, is_deleted)")),
    );
  });

  it('renders the contact rollups: replicated aggregating tables sharded by unit, views reading the local events', () => {
    const stmts = renderMigration(source('0012_contact_rollups'), { cluster: 'c1', vars });
    for (const table of ['contact_daily', 'contact_daily_dims']) {
      const local = stmts.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${table}_local ON CLUSTER c1\n(`))!;
      assert.ok(local.includes(`ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/${table}_local', '{replica}')`), local);
      assert.match(local, /toIntervalMonth\(25\)/);
      assert.doesNotMatch(local, /non_replicated_deduplication_window/);
      assert.ok(
        stmts.includes(
          `CREATE TABLE IF NOT EXISTS ${table} ON CLUSTER c1 AS ${table}_local\nENGINE = Distributed(c1, currentDatabase(), ${table}_local, cityHash64(workspace_id, unit))`,
        ),
      );
      const mv = stmts.find((s) => s.includes(`TO ${table} AS`))!;
      assert.match(mv, new RegExp(`^CREATE MATERIALIZED VIEW IF NOT EXISTS events_to_${table} ON CLUSTER c1 TO ${table} AS`));
      assert.match(mv, /FROM events_local\n/);
    }
    assert.equal(stmts.length, 6);
  });

  it('alters the local and, for column changes, the Distributed table', () => {
    assert.deepEqual(renderMigration('ALTER TABLE events ADD COLUMN IF NOT EXISTS score Float64;', { cluster: 'c', vars }), [
      'ALTER TABLE events_local ON CLUSTER c ADD COLUMN IF NOT EXISTS score Float64',
      'ALTER TABLE events ON CLUSTER c ADD COLUMN IF NOT EXISTS score Float64',
    ]);
    assert.deepEqual(renderMigration('ALTER TABLE events MODIFY TTL toDateTime(ts) + toIntervalMonth(30);', { cluster: 'c', vars }), [
      'ALTER TABLE events_local ON CLUSTER c MODIFY TTL toDateTime(ts) + toIntervalMonth(30)',
    ]);
  });

  it('refuses what it cannot distribute and variables it does not know', () => {
    assert.throws(
      () => renderMigration('CREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = MergeTree ORDER BY a;', { cluster: 'c', vars }),
      /needs a -- @shard_by hint/,
    );
    assert.throws(() => renderMigration('SELECT {{nope}};', { vars: {} }), /no value is configured/);
    assert.throws(() => renderMigration('-- @shard_by a\nCREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = Memory;', { cluster: 'c', vars }), /only \*MergeTree/);
  });
});
