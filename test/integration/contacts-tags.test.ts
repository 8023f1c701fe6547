import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unsuppress } from '../../ingest/suppressions.ts';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

describe('contacts, tags and suppressions', () => {
  let t: TestApp;
  let admin: string;
  before(async () => {
    t = await startTestApp('contacts_tags');
    admin = await t.keyFor('admin');
  });
  after(() => t.close());

  const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: bearer(admin), payload: payload as object });
  const contact = async (id: string) => (await t.app.inject({ method: 'GET', url: `/v1/contacts/${id}`, headers: bearer(admin) })).json();
  const suppressions = () =>
    t.wh.query<{ reason: string; phone: string; user_id: string; source: string }>(
      "SELECT reason, phone, user_id, source FROM suppressions FINAL WHERE workspace_id = 'ws_a' ORDER BY user_id, reason",
    );

  it('creates, then merges updates over the stored profile (absent fields keep their value)', async () => {
    const first = await post('/v1/contacts', [
      { user_id: 'c1', phone: '13800000001', name: '王芳', city: '上海', vip_level: 1, attributes: { occupation: 'teacher' } },
    ]);
    assert.deepEqual(first.json(), { created: 1, updated: 0, rejected: [] });
    const second = await post('/v1/contacts', [
      { user_id: 'c1', city: '杭州', attributes: { pets: 'cat' } },
      { user_id: 'c2', phone: 'garbage' },
    ]);
    assert.deepEqual(second.json(), {
      created: 0,
      updated: 1,
      rejected: [{ index: 1, error: { field: 'phone', message: 'phone: is not a valid mobile number' } }],
    });
    const c1 = await contact('c1');
    assert.equal(c1.name, '王芳');
    assert.equal(c1.city, '杭州');
    assert.equal(c1.vip_level, 1);
    assert.deepEqual(c1.attributes, { occupation: 'teacher', pets: 'cat' });
    assert.match(c1.updated_at, /Z$/);
    const bad = await post('/v1/contacts', [{ user_id: 'c3', birthday: '1990-13-45' }]);
    assert.equal(bad.statusCode, 400, 'a body with no usable contact is a bad request');
    assert.equal(bad.json().field, 'body[0].birthday');
    const old = await post('/v1/contacts', [
      { user_id: 'c4', birthday: '1960-05-01' },
      { user_id: 'c5', birthday: '1850-01-01' },
    ]);
    assert.equal(old.json().rejected[0].error.field, 'birthday');
    assert.equal((await contact('c4')).birthday, '1960-05-01', 'dates before 1970 are kept exactly');
  });

  it('refuses impossible times alone, and concurrent merges of one user lose no field', async () => {
    const r = await post('/v1/contacts', [
      { user_id: 'big', signup_at: 9e15 },
      { user_id: 'fine', name: 'ok' },
    ]);
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().created, 1);
    assert.equal(r.json().rejected[0].error.field, 'signup_at');
    await Promise.all([
      post('/v1/contacts', [{ user_id: 'race', name: '李娜' }]),
      post('/v1/contacts', [{ user_id: 'race', city: '成都' }]),
      post('/v1/contacts', [{ user_id: 'race', vip_level: 2 }]),
    ]);
    const race = await contact('race');
    assert.deepEqual([race.name, race.city, race.vip_level], ['李娜', '成都', 2]);
  });

  it('a lifted suppression stays lifted against replays of older unsubscribes, not against new ones', async () => {
    const sender = await t.keyFor('sender');
    const send = (id: string, ts: number) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: bearer(sender),
        payload: [{ event_id: id, type: 'unsubscribe', ts, user_id: 'rs', phone: '13800000099' }],
      });
    const live = async () => (await suppressions()).filter((s) => s.user_id === 'rs').length;
    await send('rs1', Date.now() - 3600_000);
    assert.equal(await live(), 1);
    await unsuppress(t.wh, 'ws_a', [{ reason: 'unsubscribe', phone: '+8613800000099', user_id: 'rs' }]);
    assert.equal(await live(), 0);
    await send('rs1', Date.now() - 3600_000);
    assert.equal(await live(), 0, 'a replayed old unsubscribe does not undo the lift');
    await send('rs2', Date.now() + 1000);
    assert.equal(await live(), 1, 'a new unsubscribe suppresses again');
  });

  it('assigns and removes tags; the newest change wins', async () => {
    const r = await post('/v1/tags', {
      assignments: [
        { user_id: 'c1', tag: 'interest', value: 'electronics' },
        { user_id: 'c1', tag: 'vip' },
      ],
    });
    assert.deepEqual(r.json(), { assigned: 2, removed: 0 });
    await post('/v1/tags', { removals: [{ user_id: 'c1', tag: 'vip' }] });
    const tags = (await contact('c1')).tags.map((x: { tag: string; value: string }) => `${x.tag}=${x.value}`);
    assert.deepEqual(tags, ['interest=electronics']);
    await post('/v1/tags', { assignments: [{ user_id: 'c1', tag: 'vip' }] });
    assert.equal((await contact('c1')).tags.length, 2);
    const empty = await post('/v1/tags', {});
    assert.equal(empty.statusCode, 400);
    const unknown = await post('/v1/tags', { assignments: [{ user_id: 'c1', tag: 'x', colour: 'red' }] });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().field, 'body.assignments.0.colour');
  });

  it('suppresses numbers on unsubscribe events, TD replies, complaints and opt-outs, whatever the path', async () => {
    const sender = await t.keyFor('sender');
    const base = { ts: `${FIXTURE_YEAR}-11-20T10:00:00Z` };
    await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: bearer(sender),
      payload: [
        { ...base, event_id: 's1', type: 'unsubscribe', user_id: 'x1', phone: '13800000011' },
        { ...base, event_id: 's2', type: 'reply', user_id: 'x2', phone: '13800000012', properties: { text: ' td ' } },
        { ...base, event_id: 's3', type: 'reply', user_id: 'x3', phone: '13800000013', properties: { text: 'thanks' } },
        { ...base, event_id: 's4', type: 'complaint', user_id: 'x4', phone: '13800000014' },
      ],
    });
    await post('/v1/contacts', [{ user_id: 'x5', phone: '13800000015', consent: 'opted_out' }]);
    assert.deepEqual(
      (await suppressions()).filter((s) => s.user_id.startsWith('x')),
      [
        { reason: 'unsubscribe', phone: '+8613800000011', user_id: 'x1', source: 'event' },
        { reason: 'unsubscribe', phone: '+8613800000012', user_id: 'x2', source: 'event' },
        { reason: 'complaint', phone: '+8613800000014', user_id: 'x4', source: 'event' },
        { reason: 'unsubscribe', phone: '+8613800000015', user_id: 'x5', source: 'contact' },
      ],
    );
  });

  it('pages contacts with an opaque cursor, without gaps or repeats', async () => {
    await post(
      '/v1/contacts',
      Array.from({ length: 7 }, (_, i) => ({ user_id: `p${i}` })),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/contacts?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await t.app.inject({ method: 'GET', url, headers: bearer(admin) })).json();
      assert.ok(page.contacts.length <= 3);
      seen.push(...page.contacts.map((c: { user_id: string }) => c.user_id));
      cursor = page.next_cursor;
    } while (cursor);
    const expected = (await t.wh.query<{ user_id: string }>("SELECT DISTINCT user_id FROM contacts WHERE workspace_id = 'ws_a' ORDER BY user_id")).map(
      (r) => r.user_id,
    );
    assert.deepEqual(seen, expected);
  });
});
