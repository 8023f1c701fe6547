/**
 * Deduplication on write: the events table is read without FINAL, so the writer alone must keep each
 * event (workspace, type, event_id) once, through re-posts, copies with another time, crashes between an
 * insert and its views, partial inserts and concurrent writers. And the 0011 migration moves data
 * written by the old layout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventById } from '../../analytics/event-reads.ts';
import type { EventRow } from '../../ingest/event-schema.ts';
import { storeEvents } from '../../ingest/event-store.ts';
import { validateEvent } from '../../ingest/event-validation.ts';
import { listMigrations, migrate } from '../../warehouse/migrations.ts';
import { openWarehouse, type Warehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, openTestWarehouse, testConfig } from '../helpers/warehouse.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const WS = 'ws_store';

function row(id: string, type: string, ts: string, extra: Record<string, unknown> = {}, ws = WS): EventRow {
  const r = validateEvent(ws, { event_id: id, type, ts, user_id: `u_${id}`, ...extra });
  if (!r.ok) throw new Error(r.error.message);
  return r.row;
}

async function stored(wh: Warehouse, ws = WS): Promise<Array<{ id: string; type: string; ts: string }>> {
  return wh.query('SELECT event_id AS id, toString(type) AS type, toString(ts) AS ts FROM events WHERE workspace_id = {ws:String} ORDER BY id, type, ts', {
    ws,
  });
}

describe('event store: deduplicated on write', () => {
  let wh: Warehouse;
  before(async () => {
    wh = await openTestWarehouse('event_store');
  });
  after(() => dropTestDatabase(wh));

  it('stores a re-posted batch once; a copy with another time on the same UTC day too, one re-dated to another day is a second event', async () => {
    const batch = [row('a1', 'send', `${FIXTURE_YEAR}-03-01T10:00:00Z`), row('a2', 'click', `${FIXTURE_YEAR}-03-01T11:00:00Z`)];
    assert.deepEqual(await storeEvents(wh, batch), { stored: 2, duplicates: 0 });
    assert.deepEqual(await storeEvents(wh, batch), { stored: 0, duplicates: 2 });
    // Same UTC day, other time and content: dropped, the first copy wins.
    assert.deepEqual(await storeEvents(wh, [row('a1', 'send', `${FIXTURE_YEAR}-03-01T23:59:59.999Z`, { campaign_id: 'other' })]), { stored: 0, duplicates: 1 });
    // Re-dated to the next UTC day: looked up on that day, not found (the documented limit of the check).
    assert.deepEqual(await storeEvents(wh, [row('a2', 'click', `${FIXTURE_YEAR}-03-02T00:00:00Z`)]), { stored: 1, duplicates: 0 });
    assert.deepEqual(await stored(wh), [
      { id: 'a1', type: 'send', ts: `${FIXTURE_YEAR}-03-01 10:00:00.000` },
      { id: 'a2', type: 'click', ts: `${FIXTURE_YEAR}-03-01 11:00:00.000` },
      { id: 'a2', type: 'click', ts: `${FIXTURE_YEAR}-03-02 00:00:00.000` },
    ]);
  });

  it('keeps events that share an id but not a type, and repeats within one batch once', async () => {
    const batch = [
      row('b1', 'send', `${FIXTURE_YEAR}-03-05T10:00:00Z`),
      row('b1', 'click', `${FIXTURE_YEAR}-03-05T10:00:05Z`),
      row('b1', 'click', `${FIXTURE_YEAR}-03-05T10:00:09Z`),
    ];
    assert.deepEqual(await storeEvents(wh, batch), { stored: 2, duplicates: 1 });
    const types = (await stored(wh)).filter((r) => r.id === 'b1').map((r) => r.type);
    assert.deepEqual(types, ['click', 'send']);
    assert.equal((await eventById(wh, WS, 'b1'))?.type, 'send', 'without a type: the earliest');
    assert.equal((await eventById(wh, WS, 'b1', 'click'))?.ts, `${FIXTURE_YEAR}-03-05T10:00:05.000Z`);
    assert.equal(await eventById(wh, WS, 'b1', 'conversion'), undefined);
    assert.equal(await eventById(wh, 'ws_other', 'b1'), undefined, 'another workspace sees nothing');
  });

  it('completes a batch of which a crash stored only some partitions', async () => {
    const batch = [
      row('d1', 'send', `${FIXTURE_YEAR}-01-31T23:59:59Z`),
      row('d2', 'send', `${FIXTURE_YEAR}-02-01T00:00:00Z`),
      row('d3', 'click', `${FIXTURE_YEAR}-03-09T00:00:00Z`),
    ];
    // The January part made it before the crash.
    await wh.insert('events', [batch[0]!]);
    assert.deepEqual(await storeEvents(wh, batch), { stored: 2, duplicates: 1 });
    const ids = (await stored(wh)).filter((r) => r.id.startsWith('d')).map((r) => r.id);
    assert.deepEqual(ids, ['d1', 'd2', 'd3']);
  });

  it('concurrent writers of overlapping batches store each event once', async () => {
    const all = Array.from({ length: 300 }, (_, i) =>
      row(`e${i}`, i % 2 ? 'click' : 'send', `${FIXTURE_YEAR}-03-${String(10 + (i % 5)).padStart(2, '0')}T0${i % 10}:00:00Z`),
    );
    const batches = [all.slice(0, 200), all.slice(100, 300), all.slice(50, 250), all, all.slice(0, 10)];
    const results = await Promise.all(batches.map((b) => storeEvents(wh, b)));
    assert.equal(
      results.reduce((n, r) => n + r.stored, 0),
      300,
    );
    const [r] = await wh.query<{ n: string; ids: string }>(
      "SELECT count() AS n, uniqExact(event_id) AS ids FROM events WHERE workspace_id = {ws:String} AND startsWith(event_id, 'e')",
      { ws: WS },
    );
    assert.deepEqual([Number(r!.n), Number(r!.ids)], [300, 300]);
  });

  it('a batch whose ids are too long for one lookup is checked in several, exactly', async () => {
    // 3,000 ids of 128 characters: past the bound on one lookup's parameters (400,000 URL characters).
    const long = (i: number) => `${'x'.repeat(120)}${String(i).padStart(8, '0')}`;
    const batch = Array.from({ length: 3000 }, (_, i) => row(long(i), 'send', `${FIXTURE_YEAR}-03-20T10:00:00Z`, { user_id: 'u_long' }));
    assert.deepEqual(await storeEvents(wh, batch.slice(0, 2000)), { stored: 2000, duplicates: 0 });
    assert.deepEqual(await storeEvents(wh, batch), { stored: 1000, duplicates: 2000 });
    const [r] = await wh.query<{ n: string }>("SELECT count() AS n FROM events WHERE workspace_id = {ws:String} AND startsWith(event_id, 'xxxx')", { ws: WS });
    assert.equal(Number(r!.n), 3000);
  });

  it('one batch of several workspaces is checked per workspace', async () => {
    const batch = [row('f1', 'send', `${FIXTURE_YEAR}-03-01T10:00:00Z`, {}, 'ws_f1'), row('f1', 'send', `${FIXTURE_YEAR}-03-01T10:00:00Z`, {}, 'ws_f2')];
    assert.deepEqual(await storeEvents(wh, batch), { stored: 2, duplicates: 0 });
    assert.deepEqual(await storeEvents(wh, batch.slice(1)), { stored: 0, duplicates: 1 });
    assert.equal((await stored(wh, 'ws_f1')).length, 1);
    assert.equal((await stored(wh, 'ws_f2')).length, 1);
  });
});

describe('migration 0011: data written by the old layout', () => {
  const OLD = listMigrations().filter((f) => f.version < '0011');

  async function oldInstall(name: string): Promise<Warehouse> {
    const wh = await openWarehouse(testConfig(name).warehouse);
    await migrate(wh, OLD, {});
    // Old layout: a re-sent copy is a second row until FINAL (or a merge) collapses it; the newest copy wins.
    const events = [
      {
        workspace_id: 'w1',
        event_id: 'x1',
        type: 'send',
        ts: `${FIXTURE_YEAR}-02-01 10:00:00.000`,
        user_id: 'u1',
        ingested_at: `${FIXTURE_YEAR}-02-01 10:00:01.000`,
      },
      {
        workspace_id: 'w1',
        event_id: 'x1',
        type: 'send',
        ts: `${FIXTURE_YEAR}-02-01 10:00:00.000`,
        user_id: 'u1-newer',
        ingested_at: `${FIXTURE_YEAR}-02-01 10:05:00.000`,
      },
      {
        workspace_id: 'w1',
        event_id: 'x2',
        type: 'click',
        ts: `${FIXTURE_YEAR}-03-03 12:00:00.000`,
        user_id: 'u2',
        ingested_at: `${FIXTURE_YEAR}-03-03 12:00:01.000`,
      },
      {
        workspace_id: 'w2',
        event_id: 'x1',
        type: 'unsubscribe',
        ts: `${FIXTURE_YEAR}-03-04 12:00:00.000`,
        phone: '+8613800000001',
        ingested_at: `${FIXTURE_YEAR}-03-04 12:00:01.000`,
      },
    ];
    await wh.insert('events', events.slice(0, 1));
    await wh.insert('events', events.slice(1));
    return wh;
  }

  async function assertMoved(wh: Warehouse): Promise<void> {
    const [table] = await wh.query<{ sorting_key: string; partition_key: string }>(
      "SELECT sorting_key, partition_key FROM system.tables WHERE database = currentDatabase() AND name = 'events'",
    );
    assert.deepEqual(table, { sorting_key: 'workspace_id, toDate(ts), type, event_id', partition_key: 'toYYYYMM(ts)' });
    const legacy = await wh.query("SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'events_legacy%'");
    assert.deepEqual(legacy, []);
    const rows = await wh.query('SELECT workspace_id AS ws, event_id AS id, toString(type) AS type, user_id FROM events ORDER BY ws, id');
    assert.deepEqual(rows, [
      { ws: 'w1', id: 'x1', type: 'send', user_id: 'u1-newer' },
      { ws: 'w1', id: 'x2', type: 'click', user_id: 'u2' },
      { ws: 'w2', id: 'x1', type: 'unsubscribe', user_id: '' },
    ]);
    // The moved events are found by the writer: re-posting one stores nothing.
    assert.deepEqual(await storeEvents(wh, [row('x2', 'click', `${FIXTURE_YEAR}-03-03T12:00:00Z`, { user_id: 'u2' }, 'w1')]), { stored: 0, duplicates: 1 });
    // The suppression view reads the new table: an unsubscribe stored now suppresses its number.
    await storeEvents(wh, [row('x9', 'unsubscribe', `${FIXTURE_YEAR}-03-09T00:00:00Z`, { phone: '+8613800000009', user_id: '' }, 'w1')]);
    const phones = await wh.query<{ phone: string }>('SELECT phone FROM suppressions FINAL WHERE is_deleted = 0 ORDER BY phone');
    assert.deepEqual(
      phones.map((p) => p.phone),
      ['+8613800000001', '+8613800000009'],
    );
  }

  it('moves every event once (the newest copy) into the new layout and keeps the views working', async () => {
    const wh = await oldInstall('layout_move');
    try {
      const applied = await migrate(wh);
      assert.ok(applied.includes('0011_events_layout'));
      await assertMoved(wh);
    } finally {
      await dropTestDatabase(wh);
    }
  });

  it('resumes after a crash in the middle of the move', async () => {
    const wh = await openWarehouse(testConfig('layout_crash').warehouse);
    try {
      const migrated = await oldInstall('layout_crash');
      await migrated.close();
      // Crash after the copy started: the new table has a partial copy, events_legacy still exists.
      const file = listMigrations().find((f) => f.version === '0011')!;
      const crashing = {
        '0011': {
          before: (await import('../../warehouse/migration-steps.ts')).MIGRATION_STEPS['0011']!.before,
          after: async (w: Warehouse) => {
            await w.insert('events', [{ workspace_id: 'w1', event_id: 'x1', type: 'send', ts: `${FIXTURE_YEAR}-02-01 10:00:00.000` }]);
            throw new Error('crash');
          },
        },
      };
      await assert.rejects(migrate(wh, [...OLD, file], crashing), /crash/);
      await migrate(wh);
      await assertMoved(wh);
    } finally {
      await dropTestDatabase(wh);
    }
  });
});
