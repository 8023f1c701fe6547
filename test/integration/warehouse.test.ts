import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isAppError } from '../../common/errors.ts';
import { settingsClause, type Warehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, openTestWarehouse } from '../helpers/warehouse.ts';

describe('warehouse query runner', () => {
  let wh: Warehouse;
  before(async () => {
    wh = await openTestWarehouse('warehouse');
    await wh.ddl('CREATE TABLE IF NOT EXISTS t (id String, n UInt32) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100');
  });
  after(() => dropTestDatabase(wh));

  it('drops a retried insert with the same token, and the token does not leak into the next insert', async () => {
    await wh.insert('t', [{ id: 'a', n: 1 }], { dedupToken: 'batch-1' });
    await wh.insert('t', [{ id: 'a', n: 1 }], { dedupToken: 'batch-1' });
    // chDB turns client settings into session SETs; if the token stuck, this different insert would vanish.
    await wh.insert('t', [{ id: 'b', n: 2 }]);
    await wh.insert('t', [{ id: 'c', n: 3 }]);
    assert.deepEqual(await wh.query('SELECT id, n FROM t ORDER BY id'), [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
      { id: 'c', n: 3 },
    ]);
  });

  it('binds values as parameters: SQL in a value is just text', async () => {
    const evil = "x' OR 1=1 --";
    await wh.insert('t', [{ id: evil, n: 9 }]);
    assert.deepEqual(await wh.query('SELECT n FROM t WHERE id = {id:String}', { id: evil }), [{ n: 9 }]);
    assert.deepEqual(await wh.query('SELECT n FROM t WHERE id = {id:String}', { id: "x' OR '1'='1" }), []);
  });

  it('stops a query at its time limit with QUERY_TIMEOUT', async () => {
    const started = Date.now();
    await assert.rejects(wh.query('SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 1', {}, { timeoutSeconds: 1 }), (err) =>
      isAppError(err, 'QUERY_TIMEOUT'),
    );
    assert.ok(Date.now() - started < 10_000);
  });

  it('renders only safe settings', () => {
    assert.equal(
      settingsClause({ max_execution_time: 5, async_insert: false, insert_deduplication_token: 'kafka:t-0:1-9' }),
      "SETTINGS max_execution_time = 5, async_insert = 0, insert_deduplication_token = 'kafka:t-0:1-9'",
    );
    assert.throws(() => settingsClause({ insert_deduplication_token: "a'; DROP TABLE t; --" }), /characters outside/);
    assert.throws(() => settingsClause({ 'max_execution_time = 1; DROP': 1 }), /invalid setting name/);
  });
});
