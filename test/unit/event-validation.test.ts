import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateEvent } from '../../ingest/event-validation.ts';
import { maskPhone, normalizePhone } from '../../common/phone.ts';

const now = Date.parse('2026-11-23T00:00:00Z');
const base = { event_id: 'e1', type: 'send', ts: '2026-11-20T10:00:00Z', phone: '+8613812345678' };

describe('event validation', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['missing event_id', { event_id: undefined }, 'event_id', /is required/],
    ['unknown type', { type: 'open' }, 'type', /must be one of send, delivery/],
    ['unknown field', { colour: 'red' }, 'colour', /not a known field/],
    ['wrong type', { campaign_id: 42 }, 'campaign_id', /must be string/],
    ['ts without offset', { ts: '2026-11-20T10:00:00' }, 'ts', /offset or Z/],
    ['ts not a date', { ts: 'yesterday' }, 'ts', /ISO 8601 time with an offset or Z, or milliseconds/],
    ['ts in the future', { ts: now + 2 * 86400_000 }, 'ts', /future/],
    ['delivery without status', { type: 'delivery' }, 'status', /delivered or failed/],
    ['send with delivery status', { status: 'delivered' }, 'status', /accepted or rejected/],
    ['revenue on a click', { type: 'click', revenue: 3 }, 'revenue', /only allowed on conversion/],
    ['negative revenue', { type: 'conversion', revenue: -1 }, 'revenue', /must be greater or equal to 0|minimum|>=/],
    ['no user and no phone', { phone: undefined }, 'user_id', /user_id or a phone/],
    ['bad phone', { phone: '12345' }, 'phone', /not a valid mobile number/],
    ['exposure without variant', { type: 'exposure', experiment_id: 'x' }, 'experiment_id', /needs experiment_id and variant/],
    ['property value an object', { properties: { a: { b: 1 } } }, 'properties.a', /wrong type|must be/],
  ];
  for (const [name, change, field, message] of cases) {
    it(`refuses ${name}, naming ${field}`, () => {
      const event: Record<string, unknown> = { ...base, ...change };
      for (const k of Object.keys(event)) if (event[k] === undefined) delete event[k];
      const r = validateEvent('ws', event, now);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.field, field);
      assert.match(r.error.message, message);
      assert.ok(r.error.message.startsWith(`${field}: `), r.error.message);
    });
  }

  it('accepts epoch milliseconds and offsets, storing UTC', () => {
    const a = validateEvent('ws', { ...base, ts: Date.parse('2026-11-20T15:30:00.250Z') }, now);
    const b = validateEvent('ws', { ...base, ts: '2026-11-20T23:30:00.250+08:00' }, now);
    assert.ok(a.ok && b.ok);
    assert.equal(a.row.ts, '2026-11-20 15:30:00.250');
    assert.equal(b.row.ts, '2026-11-20 15:30:00.250');
    assert.equal(a.row.status, 'accepted', 'a send without status was accepted by the gateway');
  });

  it('normalizes mainland and international numbers to E.164 and masks them', () => {
    assert.equal(normalizePhone('138 1234 5678'), '+8613812345678');
    assert.equal(normalizePhone('8613812345678'), '+8613812345678');
    assert.equal(normalizePhone('+86-138-1234-5678'), '+8613812345678');
    assert.equal(normalizePhone('0044 20 7946 0958'), '+442079460958');
    assert.equal(normalizePhone('12812345678'), null, '12x is not a mobile prefix');
    assert.equal(normalizePhone('1381234567'), null, 'ten digits');
    assert.equal(maskPhone('+8613812345678'), '138****5678');
    assert.equal(maskPhone('+442079460958'), '+44******0958');
  });
});
