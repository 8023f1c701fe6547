/**
 * GET /v1/events/values: the filter pickers' source. Counts values of one column among the workspace's events in
 * the range (most frequent first, ties by value), bounded by `limit` with `truncated`, blind to other workspaces,
 * and refuses columns outside the catalogue and bad limits with a 400 naming the field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';

const T0 = Date.parse('2025-03-03T00:00:00Z');
const range = { from: new Date(T0).toISOString(), to: new Date(T0 + 86_400_000).toISOString() };

describe('GET /v1/events/values', () => {
  let t: TestApp;
  let analyst: string;

  const get = (key: string, query: Record<string, string>) =>
    t.app.inject({ method: 'GET', url: `/v1/events/values?${new URLSearchParams(query)}`, headers: bearer(key) });

  before(async () => {
    t = await startTestApp('event_values');
    analyst = await t.keyFor('analyst', 'ws_values');
    const sender = await t.keyFor('sender', 'ws_values');
    const otherSender = await t.keyFor('sender', 'ws_values_other');
    // Carriers: 3 × China Mobile, 2 × <b>x</b>, 2 × China Unicom, 1 without; one more outside the range.
    const carriers = ['China Mobile', 'China Mobile', 'China Mobile', '<b>x</b>', '<b>x</b>', 'China Unicom', 'China Unicom', ''];
    const events = carriers.map((carrier, i) => ({ event_id: `e${i}`, type: 'send', ts: T0 + i * 60_000, user_id: `u${i}`, ...(carrier && { carrier }) }));
    events.push({ event_id: 'late', type: 'send', ts: T0 + 2 * 86_400_000, user_id: 'u9', carrier: 'Late Carrier' });
    await postEvents(t, sender, events);
    await postEvents(t, otherSender, [{ event_id: 'o1', type: 'send', ts: T0 + 1000, user_id: 'x', carrier: 'Other Workspace' }]);
  });
  after(() => t?.close());

  it('lists the range’s values, most frequent first, ties by value, without empty ones or other workspaces’', async () => {
    const res = await get(analyst, { column: 'carrier', ...range });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      column: 'carrier',
      values: [
        { value: 'China Mobile', events: 3 },
        { value: '<b>x</b>', events: 2 },
        { value: 'China Unicom', events: 2 },
      ],
      truncated: false,
    });
  });

  it('stops at limit and says more exist', async () => {
    const res = await get(analyst, { column: 'carrier', limit: '2', ...range });
    assert.deepEqual(
      res.json().values.map((v: { value: string }) => v.value),
      ['China Mobile', '<b>x</b>'],
    );
    assert.equal(res.json().truncated, true);
    const exact = await get(analyst, { column: 'carrier', limit: '3', ...range });
    assert.equal(exact.json().truncated, false);
  });

  it('refuses columns outside the catalogue, bad limits and reversed ranges, naming the field', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ column: 'user_id', ...range }, 'querystring.column'],
      [{ column: 'carrier; DROP TABLE events', ...range }, 'querystring.column'],
      [{ column: 'carrier', limit: '0', ...range }, 'querystring.limit'],
      [{ column: 'carrier', limit: '501', ...range }, 'querystring.limit'],
      [{ column: 'carrier', from: range.to, to: range.from }, 'querystring.to'],
    ];
    for (const [query, field] of cases) {
      const res = await get(analyst, query);
      assert.equal(res.statusCode, 400, JSON.stringify(query));
      assert.equal(res.json().field, field, JSON.stringify(query));
    }
  });

  it('is for readers of analytics only', async () => {
    const sender = await t.keyFor('sender', 'ws_values');
    assert.equal((await get(sender, { column: 'carrier', ...range })).statusCode, 403);
  });
});
