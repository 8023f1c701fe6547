import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

/** The local calendar day of an instant in a zone, computed with Intl (independently of ClickHouse). */
const localDay = (ms: number, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);

describe('workspace time zone and settings', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('time_zones');
  });
  after(() => t.close());

  it('defaults to Asia/Shanghai and zh-CN; admins change them as new versions; an unknown zone is a 400', async () => {
    const analyst = await t.keyFor('analyst', 'tz_ws');
    const admin = await t.keyFor('admin', 'tz_ws');
    assert.deepEqual((await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(analyst) })).json(), {
      id: 'tz_ws',
      timezone: 'Asia/Shanghai',
      locale: 'zh-CN',
      currency: 'CNY',
    });
    const put = (payload: object, key = admin) => t.app.inject({ method: 'PUT', url: '/v1/workspace', headers: bearer(key), payload });
    assert.equal((await put({ timezone: 'Mars/Olympus' })).json().field, 'body.timezone');
    assert.equal((await put({ locale: 'fr' })).statusCode, 400);
    assert.equal((await put({ timezone: 'UTC' }, analyst)).statusCode, 403);
    const saved = (await put({ timezone: 'Europe/Berlin', locale: 'en' })).json();
    assert.deepEqual([saved.timezone, saved.locale, saved.version], ['Europe/Berlin', 'en', 2]);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(analyst) })).json().timezone, 'Europe/Berlin');
  });

  it('concurrent changes of different settings both stay, each as its own version', async () => {
    const admin = await t.keyFor('admin', 'tz_race');
    const put = (payload: object) => t.app.inject({ method: 'PUT', url: '/v1/workspace', headers: bearer(admin), payload });
    // Read once so the settings are cached: a change merged onto a stale cache would drop the other one.
    await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(admin) });
    const answers = await Promise.all([put({ timezone: 'Europe/Berlin' }), put({ locale: 'en' })]);
    assert.deepEqual(answers.map((a) => a.json().version).sort(), [2, 3]);
    const now = (await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(admin) })).json();
    assert.deepEqual([now.timezone, now.locale], ['Europe/Berlin', 'en']);
  });

  it('a campaign sent at 23:30 Beijing time lands in the Beijing day; tz=UTC and a daylight-saving zone cut days as Intl does', async () => {
    const sender = await t.keyFor('sender', 'tz_days');
    const analyst = await t.keyFor('analyst', 'tz_days');
    // 23:30 Beijing = 15:30 UTC the same day; 00:30 Beijing next day = 16:30 UTC; plus two evenings around Berlin's switch to winter time (late October).
    const instants = [
      Date.parse(`${FIXTURE_YEAR}-11-20T23:30:00+08:00`),
      Date.parse(`${FIXTURE_YEAR}-11-21T00:30:00+08:00`),
      Date.parse(`${FIXTURE_YEAR}-10-24T22:30:00Z`),
      Date.parse(`${FIXTURE_YEAR}-10-25T22:30:00Z`),
    ];
    await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: bearer(sender),
      payload: instants.map((ts, i) => ({ event_id: `tz${i}`, type: 'send', ts, user_id: 'u' })),
    });
    const days = async (tz?: string) => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/events/summary?from=${FIXTURE_YEAR}-10-01T00:00:00Z&to=${FIXTURE_YEAR}-12-01T00:00:00Z${tz ? `&tz=${encodeURIComponent(tz)}` : ''}`,
        headers: bearer(analyst),
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { timezone: string; days: { day: string; events: { send: number } }[] };
    };
    for (const tz of [undefined, 'UTC', 'Europe/Berlin']) {
      const zone = tz ?? 'Asia/Shanghai';
      const expected = new Map<string, number>();
      for (const ms of instants) expected.set(localDay(ms, zone), (expected.get(localDay(ms, zone)) ?? 0) + 1);
      const got = await days(tz);
      assert.equal(got.timezone, zone);
      assert.deepEqual(
        got.days.map((d) => [d.day, d.events.send]),
        [...expected].sort(),
        zone,
      );
    }
    const beijing = await days();
    assert.ok(
      beijing.days.some((d) => d.day === `${FIXTURE_YEAR}-11-20` && d.events.send === 1),
      '23:30 Beijing is on the 20th in Beijing',
    );
    assert.ok(
      (await days('UTC')).days.some((d) => d.day === `${FIXTURE_YEAR}-11-20` && d.events.send === 2),
      'in UTC both evening sends are on the 20th',
    );
    const bad = await t.app.inject({
      method: 'GET',
      url: `/v1/events/summary?from=${FIXTURE_YEAR}-10-01T00:00:00Z&to=${FIXTURE_YEAR}-12-01T00:00:00Z&tz=Nowhere/City`,
      headers: bearer(analyst),
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().field, 'querystring.tz');
  });
});
