import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EVENT_FIELDS, EventSchema, eventSchemaMismatches, expectedEventColumns } from '../../ingest/event-schema.ts';
import { validateEvent } from '../../ingest/event-validation.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, openTestWarehouse } from '../helpers/warehouse.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const columnsOf = (wh: Warehouse, table: string) =>
  wh.query<{ name: string; type: string }>(
    'SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {table:String} ORDER BY position',
    { table },
  );

const fullEvent = {
  event_id: 'e1',
  type: 'conversion',
  ts: `${FIXTURE_YEAR}-11-20T12:00:00+08:00`,
  user_id: 'u1',
  phone: '13812345678',
  campaign_id: 'c',
  template_id: 't',
  message_id: 'm',
  channel: '106',
  carrier: 'China Mobile',
  region: '广东',
  error_code: '',
  revenue: 12.5,
  experiment_id: 'x',
  variant: 'b',
  properties: { category: 'electronics', n: 2, ok: true },
};

describe('one source of truth for the event shape', () => {
  let wh: Warehouse;
  before(async () => {
    wh = await openTestWarehouse('event_schema');
  });
  after(() => dropTestDatabase(wh));

  it('the migrated events table has exactly the columns the event schema defines', async () => {
    assert.deepEqual(eventSchemaMismatches(await columnsOf(wh, 'events')), []);
  });

  it('the check fails when the DDL changes alone', async () => {
    await wh.ddl('CREATE TABLE changed_events AS events');
    await wh.ddl('ALTER TABLE changed_events ADD COLUMN coupon String');
    await wh.ddl('ALTER TABLE changed_events MODIFY COLUMN revenue Float64');
    assert.deepEqual(eventSchemaMismatches(await columnsOf(wh, 'changed_events')), [
      'column revenue: table has Float64, event schema says Decimal(18, 4)',
      'column coupon (String) is in the table but not in the event schema',
    ]);
  });

  it('the check fails when the event schema changes alone', async () => {
    const expected = expectedEventColumns();
    expected.set('coupon', 'String');
    assert.deepEqual(eventSchemaMismatches(await columnsOf(wh, 'events'), expected), ['field coupon is in the event schema but not in the table']);
  });

  it('request validation accepts every schema field and yields a row with exactly the table columns', async () => {
    assert.deepEqual(Object.keys(EventSchema.properties).sort(), Object.keys(EVENT_FIELDS).sort());
    const result = validateEvent('ws', fullEvent);
    assert.ok(result.ok, JSON.stringify(result));
    const tableColumns = (await columnsOf(wh, 'events')).map((c) => c.name).filter((n) => n !== 'ingested_at');
    assert.deepEqual(Object.keys(result.row).sort(), tableColumns.sort());
    // and the row inserts as is
    await wh.insert('events', [result.row]);
    const [stored] = await wh.query<{ ts: string; phone: string; revenue: number; properties: Record<string, string> }>(
      "SELECT ts, phone, revenue, properties FROM events WHERE event_id = 'e1'",
    );
    assert.deepEqual(stored, {
      ts: `${FIXTURE_YEAR}-11-20 04:00:00.000`,
      phone: '+8613812345678',
      revenue: 12.5,
      properties: { category: 'electronics', n: '2', ok: 'true' },
    });
  });
});
