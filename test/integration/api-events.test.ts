import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const RANGE = `from=${FIXTURE_YEAR}-11-01T00:00:00Z&to=${FIXTURE_YEAR}-12-01T00:00:00Z`;
const ev = (id: string, extra: Record<string, unknown> = {}) => ({
  event_id: id,
  type: 'send',
  ts: `${FIXTURE_YEAR}-11-20T10:00:00Z`,
  user_id: `u_${id}`,
  phone: '13812345678',
  campaign_id: 'c1',
  ...extra,
});

describe('POST /v1/events', () => {
  let t: TestApp;
  let sender: string;
  let analyst: string;
  before(async () => {
    t = await startTestApp('api_events', { MAX_EVENTS_PER_REQUEST: '50', BODY_LIMIT_BYTES: '20000' });
    sender = await t.keyFor('sender');
    analyst = await t.keyFor('analyst');
  });
  after(() => t.close());

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/v1/events', headers: { ...bearer(sender), ...headers }, payload: payload as string });
  const summary = async () => (await t.app.inject({ method: 'GET', url: `/v1/events/summary?${RANGE}`, headers: bearer(analyst) })).json();

  it('keeps the good events of a body and names the bad field of the bad one', async () => {
    const before = await summary();
    const res = await post([ev('a1'), { ...ev('a2'), ts: 'not a time' }, ev('a3', { type: 'click' })]);
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json(), {
      accepted: 2,
      rejected: [{ index: 1, error: { field: 'ts', message: 'ts: must be an ISO 8601 time with an offset or Z, or milliseconds since the epoch' } }],
    });
    // durable and queryable when the answer arrives
    const s = await summary();
    assert.equal(s.events.send, before.events.send + 1);
    assert.equal(s.events.click, before.events.click + 1);
    const one = await t.app.inject({ method: 'GET', url: '/v1/events/a3', headers: bearer(sender) });
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().ts, `${FIXTURE_YEAR}-11-20T10:00:00.000Z`);
  });

  it('never counts a re-posted event twice, in the same body, a repeated body or a different batch', async () => {
    const before = (await summary()).events.send;
    const body = [ev('r1'), ev('r2'), ev('r1')];
    assert.equal((await post(body)).json().accepted, 3);
    assert.equal((await post(body)).statusCode, 202, 'a retried request');
    assert.equal((await post([ev('r2'), ev('r3')])).statusCode, 202, 'a different batch carrying r2 again');
    assert.equal((await summary()).events.send, before + 3, 'r1, r2, r3 once each');
    const raw = await t.wh.query<{ n: string }>("SELECT count() AS n FROM events WHERE event_id = 'r2'");
    assert.ok(Number(raw[0]!.n) >= 1);
  });

  it('an event is its type and id: a re-sent copy is stored once, whatever else it carries', async () => {
    const before = await summary();
    // the same id twice in one body with different types (two events), and the send again later the same UTC day
    const body = [ev('x1', { ts: `${FIXTURE_YEAR}-11-20T00:00:00.100Z` }), ev('x1', { type: 'click', ts: `${FIXTURE_YEAR}-11-20T00:00:00.100Z` })];
    assert.equal((await post(body)).json().accepted, 2);
    assert.equal((await post([ev('x1', { ts: `${FIXTURE_YEAR}-11-20T23:59:59.900Z`, campaign_id: 'other' })])).statusCode, 202);
    assert.equal((await post(body)).statusCode, 202);
    const after = await summary();
    assert.equal(after.events.send, before.events.send + 1);
    assert.equal(after.events.click, before.events.click + 1);
    const get = async (query: string) => (await t.app.inject({ method: 'GET', url: `/v1/events/x1${query}`, headers: bearer(sender) })).json();
    assert.equal((await get('?type=send')).ts, `${FIXTURE_YEAR}-11-20T00:00:00.100Z`, 'the first stored copy wins');
    assert.equal((await get('?type=click')).type, 'click');
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/events/x1?type=bogus', headers: bearer(sender) })).statusCode, 400);
  });

  it('refuses an event with text ClickHouse cannot store alone, keeping the others', async () => {
    const res = await post([ev('u1', { campaign_id: 'bad\ud800' }), ev('u2')]);
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json().rejected, [{ index: 0, error: { field: 'campaign_id', message: 'campaign_id: is not valid Unicode text (lone surrogate)' } }]);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/events/u2', headers: bearer(sender) })).statusCode, 200);
  });

  it('accepts NDJSON, and a malformed line is rejected alone', async () => {
    const body = `${JSON.stringify(ev('n1'))}\n{"event_id": "n2", oops\n${JSON.stringify(ev('n3'))}\n`;
    const res = await post(body, { 'content-type': 'application/x-ndjson' });
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json(), { accepted: 2, rejected: [{ index: 1, error: { message: 'line 2: not valid JSON' } }] });
  });

  it('answers 400 naming the field when no event is usable', async () => {
    const res = await post([{ ...ev('b1'), type: 'bogus' }]);
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.code, 'VALIDATION_FAILED');
    assert.equal(body.field, 'body[0].type');
    assert.match(body.message, /type: must be one of/);
    assert.equal(body.rejected.length, 1);
  });

  it('refuses bodies that are not arrays, malformed JSON, too many items, too many bytes, other media types', async () => {
    const notArray = await post({ event_id: 'x' });
    assert.equal(notArray.statusCode, 400);
    assert.equal(notArray.json().field, 'body');
    const malformed = await post('[{"event_id":', { 'content-type': 'application/json' });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().code, 'VALIDATION_FAILED');
    const many = await post(Array.from({ length: 51 }, (_, i) => ev(`m${i}`)));
    assert.equal(many.statusCode, 413);
    assert.equal(many.json().code, 'TOO_MANY_ITEMS');
    const big = await post(
      JSON.stringify([ev('big', { properties: { note: 'x'.repeat(1000) } })])
        .repeat(1)
        .padEnd(30000, ' '),
      { 'content-type': 'application/json' },
    );
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().code, 'BODY_TOO_LARGE');
    const xml = await post('<events/>', { 'content-type': 'application/xml' });
    assert.equal(xml.statusCode, 415);
  });
});
