/**
 * Event filters over a real HTTP listener: funnels and metrics refuse a bad filter with a 400 that names the
 * offending clause in the request (body or querystring), checked by the event-filter validator; good filters
 * count only the matching events of the caller's workspace (the query builder binds it), which a plain count
 * of the posted events gives independently.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const FROM = `${FIXTURE_YEAR}-11-10T00:00:00Z`;
const TO = `${FIXTURE_YEAR}-11-11T00:00:00Z`;
const at = (minutes: number) => new Date(Date.parse(FROM) + minutes * 60_000).toISOString();

// Users u0..u9 are sent to; even users on China Mobile, odd on China Unicom; users 0-5 click, and each click
// carries a `size` property (its user number).
const carrierOf = (i: number) => (i % 2 ? 'China Unicom' : 'China Mobile');
const SENDS = Array.from({ length: 10 }, (_, i) => ({
  event_id: `s${i}`,
  type: 'send',
  ts: at(i),
  user_id: `u${i}`,
  status: 'accepted',
  carrier: carrierOf(i),
}));
const CLICKS = Array.from({ length: 6 }, (_, i) => ({
  event_id: `c${i}`,
  type: 'click',
  ts: at(30 + i),
  user_id: `u${i}`,
  carrier: carrierOf(i),
  properties: { size: i },
}));

describe('event filters through HTTP', () => {
  let t: TestApp;
  let url: string;
  let analyst: string;

  before(async () => {
    t = await startTestApp('event_filters_http');
    await postEvents(t, await t.keyFor('sender', 'ws_a'), [...SENDS, ...CLICKS]);
    // The same ids and users in another workspace, all on China Mobile: they must never count for ws_a.
    const elsewhere = [...SENDS, ...CLICKS].map((e) => ({ ...e, carrier: 'China Mobile' }));
    await postEvents(t, await t.keyFor('sender', 'ws_b'), elsewhere);
    analyst = await t.keyFor('analyst', 'ws_a');
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => t.close());

  const funnel = (body: object) => {
    const payload = JSON.stringify({ window_hours: 24, from: FROM, to: TO, ...body });
    return fetch(`${url}/v1/funnels`, { method: 'POST', headers: { ...bearer(analyst), 'content-type': 'application/json' }, body: payload });
  };
  const metrics = (filters: string) => {
    const query = new URLSearchParams({ metric: 'click_rate', interval: 'day', tz: 'UTC', from: FROM, to: TO, filters });
    return fetch(`${url}/v1/metrics?${query}`, { headers: bearer(analyst) });
  };

  it('a good filter counts only matching events of the workspace', async () => {
    const steps = ['send', { type: 'click', where: [{ prop: 'size', op: 'gte', value: 2 }] }];
    const res = await funnel({ steps, filters: [{ prop: 'carrier', op: 'eq', value: 'China Mobile' }] });
    assert.equal(res.status, 200);
    const counts = ((await res.json()) as { steps: { count: number }[] }).steps.map((s) => s.count);
    const mobile = (e: { carrier: string }) => e.carrier === 'China Mobile';
    const clickers = new Set(CLICKS.filter((c) => mobile(c) && c.properties.size >= 2).map((c) => c.user_id));
    assert.deepEqual(counts, [SENDS.filter(mobile).length, SENDS.filter((s) => mobile(s) && clickers.has(s.user_id)).length]);
    assert.deepEqual(counts, [5, 2]);
  });

  it('a bad clause in a step, in filters or in the query string is a 400 naming it', async () => {
    const cases: [Promise<Response>, string, string][] = [
      [funnel({ steps: ['send', { type: 'click', where: [{ prop: 'size', op: 'near', value: 1 }] }] }), 'body.steps[1].where[0].op', 'must be one of'],
      [funnel({ steps: ['send', 'click'], filters: [{ prop: 'revenue', op: 'gt', value: 'lots' }] }), 'body.filters[0].value', 'must be a number'],
      [funnel({ steps: ['send', 'click'], filters: [{ prop: 'carrier', op: 'eq', value: 'x', extra: 1 }] }), 'body.filters[0].extra', 'unknown field'],
      [
        metrics(
          JSON.stringify([
            { prop: 'carrier', op: 'eq', value: 'x' },
            { prop: 'a b', op: 'eq', value: 'x' },
          ]),
        ),
        'querystring.filters[1].prop',
        'must be an event column or a property key',
      ],
      [metrics(JSON.stringify({ prop: 'carrier' })), 'querystring.filters', 'must be a list of at most 20 conditions'],
    ];
    for (const [pending, field, reason] of cases) {
      const res = await pending;
      const body = (await res.json()) as { code: string; field: string; message: string };
      assert.equal(res.status, 400, field);
      assert.deepEqual([body.code, body.field], ['VALIDATION_FAILED', field]);
      assert.ok(body.message.startsWith(`${field}: ${reason}`), body.message);
    }
  });

  it('metric filters on a property read the matching clicks of the workspace', async () => {
    const res = await metrics(JSON.stringify([{ prop: 'carrier', op: 'eq', value: 'China Unicom' }]));
    assert.equal(res.status, 200);
    const [day] = ((await res.json()) as { series: { numerator: number }[] }).series;
    // Clicks per delivered receipt: no receipts were posted, so the numerator alone is checked.
    assert.equal(day?.numerator, CLICKS.filter((c) => c.carrier === 'China Unicom').length);
  });
});
