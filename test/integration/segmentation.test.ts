import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { seededRandom } from '../../demo/random.ts';
import { maskPhone } from '../../common/phone.ts';
import { previewRule } from '../../segmentation/segments.ts';
import type { Rule } from '../../segmentation/rule-types.ts';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';
import { fixClock, recentWallTime } from '../helpers/clock.ts';
import { evaluate, type MemContact, type MemData } from '../helpers/rule-eval.ts';

const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';
const WS = 'seg';

describe('segmentation: rules, audiences, exports', () => {
  let t: TestApp;
  let marketer: string;
  // A fixed Wednesday noon in the workspace's zone: "this week" and "today" never depend on the day the test runs.
  const now = recentWallTime('Wed', '12:00', TZ);
  let realClock: () => void;
  const data: MemData = { contacts: [], tags: [], events: [] };

  before(async () => {
    realClock = fixClock(now);
    t = await startTestApp('segmentation');
    marketer = await t.keyFor('marketer', WS);
    const admin = await t.keyFor('admin', WS);
    const sender = await t.keyFor('sender', WS);
    const rnd = seededRandom(99);
    const todayMd = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, month: '2-digit', day: '2-digit' }).format(now);
    const cities = ['上海', '北京', 'Hangzhou', '成都'];
    for (let i = 0; i < 240; i++) {
      const c: MemContact = {
        user_id: `s${String(i).padStart(4, '0')}`,
        phone: i % 37 === 5 ? '' : `+86139${String(10_000_000 + i).padStart(8, '0')}`,
        name: `n${i}`,
        gender: rnd.pick(['male', 'female', '']),
        city: rnd.pick(cities),
        region: rnd.pick(['广东', '浙江']),
        consent: i % 53 === 7 ? 'opted_out' : 'opted_in',
        vip_level: rnd.pick([0, 0, 0, 1, 2, 3]),
        birthday:
          i % 9 === 0
            ? `1990-${todayMd}`
            : rnd.chance(0.8)
              ? `19${rnd.int(60, 99)}-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}`
              : null,
        signup_at: rnd.chance(0.9) ? now - rnd.int(0, 60) * DAY - rnd.int(1, 20) * 3600_000 : null,
        attributes: rnd.chance(0.7) ? { occupation: rnd.pick(['teacher', 'engineer']), score: String(rnd.int(0, 100)) } : {},
      };
      data.contacts.push(c);
      for (const tag of ['vip', 'parent_0_3']) if (rnd.chance(0.3)) data.tags.push({ user_id: c.user_id, tag, value: '' });
      if (rnd.chance(0.6)) data.tags.push({ user_id: c.user_id, tag: 'interest', value: rnd.pick(['electronics', 'books']) });
      const events = rnd.int(0, 6);
      for (let k = 0; k < events; k++) {
        const type = rnd.pick(['send', 'click', 'conversion']);
        data.events.push({
          unit: c.user_id,
          type,
          ts: now - rnd.int(0, 50) * DAY - rnd.int(1, 20) * 3600_000,
          campaign_id: rnd.pick(['c1', 'c2']),
          channel: '106',
          revenue: type === 'conversion' ? rnd.int(1, 500) : 0,
          properties: type === 'conversion' ? { category: rnd.pick(['electronics', 'books']) } : {},
        });
      }
    }
    const contactBodies = data.contacts.map(({ phone, birthday, signup_at, ...c }) => ({
      ...c,
      ...(phone && { phone }),
      ...(birthday && { birthday }),
      ...(signup_at !== null && { signup_at }),
      gender: c.gender || undefined,
    }));
    const r = await t.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(admin), payload: contactBodies });
    assert.equal(r.json().created, data.contacts.length, r.body);
    await t.app.inject({
      method: 'POST',
      url: '/v1/tags',
      headers: bearer(admin),
      payload: { assignments: data.tags.map((x) => ({ user_id: x.user_id, tag: x.tag, ...(x.value && { value: x.value }) })) },
    });
    const events = data.events.map((e, i) => ({
      event_id: `se${i}`,
      type: e.type,
      ts: e.ts,
      user_id: e.unit,
      campaign_id: e.campaign_id,
      channel: e.channel,
      ...(e.type === 'conversion' && { revenue: e.revenue, properties: e.properties }),
      ...(e.type === 'send' && { status: 'accepted' }),
    }));
    const posted = await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(sender), payload: events });
    assert.equal(posted.json().accepted, events.length, posted.body);
  });
  after(async () => {
    await t.close();
    realClock();
  });

  const sqlSet = async (rule: Rule) => new Set((await previewRule(t.wh, WS, rule, { nowMs: now, timezone: TZ, sample: 10_000 })).sample.map((r) => r.user_id));
  const tsSet = (rule: Rule) => new Set(data.contacts.filter((c) => evaluate(rule, c, data, now, TZ)).map((c) => c.user_id));

  const rules: [string, Rule][] = [
    ['attr eq', { attr: 'city', op: 'eq', value: '上海' }],
    ['attr neq', { attr: 'city', op: 'neq', value: '上海' }],
    ['attr in', { attr: 'city', op: 'in', value: ['北京', '成都'] }],
    ['attr not_in', { attr: 'region', op: 'not_in', value: ['广东'] }],
    ['attr contains', { attr: 'name', op: 'contains', value: '1' }],
    ['attr exists', { attr: 'gender', op: 'exists' }],
    ['attr not exists', { attr: 'birthday', op: 'exists', value: false }],
    ['number gt', { attr: 'vip_level', op: 'gt', value: 1 }],
    ['number between', { attr: 'vip_level', op: 'between', value: [1, 2] }],
    ['free attribute as number', { attr: 'attributes.score', op: 'gte', value: 50 }],
    ['free attribute eq', { attr: 'attributes.occupation', op: 'eq', value: 'teacher' }],
    ['birthday is today (Beijing)', { attr: 'birthday', op: 'is_today' }],
    ['birthday before 1980', { attr: 'birthday', op: 'lt', value: '1980-01-01' }],
    ['signed up within 3 days', { attr: 'signup_at', op: 'within_days', value: 3 }],
    ['signup before a date', { attr: 'signup_at', op: 'lt', value: new Date(now - 30 * DAY).toISOString().slice(0, 10) }],
    ['tag', { tag: 'vip' }],
    ['tag with value', { tag: 'interest', value: 'electronics' }],
    ['event default count', { event: 'click' }],
    ['event within days', { event: 'click', within_days: 7 }],
    ['event where prop', { event: 'conversion', where: [{ prop: 'category', op: 'eq', value: 'electronics' }], within_days: 30 }],
    [
      'event where column and revenue',
      {
        event: 'conversion',
        where: [
          { prop: 'campaign_id', op: 'in', value: ['c1'] },
          { prop: 'revenue', op: 'gt', value: 200 },
        ],
      },
    ],
    ['event count ≥ 2', { event: 'send', count: { op: 'gte', value: 2 } }],
    ['event count < 2 (includes none)', { event: 'send', count: { op: 'lt', value: 2 } }],
    ['event count = 0', { event: 'click', within_days: 14, count: { op: 'eq', value: 0 } }],
    ['did not convert (not of behaviour)', { not: { event: 'conversion', within_days: 30 } }],
    [
      'all',
      {
        all: [{ tag: 'interest', value: 'electronics' }, { event: 'conversion', within_days: 30 }, { not: { attr: 'consent', op: 'eq', value: 'opted_out' } }],
      },
    ],
    ['any', { any: [{ tag: 'parent_0_3' }, { attr: 'vip_level', op: 'gte', value: 3 }] }],
    ['not of a missing value', { not: { attr: 'attributes.score', op: 'gt', value: 10 } }],
    [
      'nested',
      { any: [{ all: [{ attr: 'city', op: 'eq', value: 'Hangzhou' }, { not: { tag: 'vip' } }] }, { event: 'click', count: { op: 'gte', value: 3 } }] },
    ],
  ];
  for (const [name, rule] of rules) {
    it(`rule: ${name} matches the independent evaluation`, async () => {
      const expected = tsSet(rule);
      assert.ok(expected.size > 0 && expected.size < data.contacts.length, `test data gives ${expected.size} matches: make it discriminate`);
      assert.deepEqual([...(await sqlSet(rule))].sort(), [...expected].sort());
    });
  }

  it('refuses malformed rules with a 400 naming the JSON path (table of cases)', async () => {
    const cases: [unknown, string][] = [
      [null, 'body.rule'],
      [[], 'body.rule'],
      [{}, 'body.rule'],
      [{ foo: 1 }, 'body.rule'],
      [{ all: [] }, 'body.rule.all'],
      [{ all: {} }, 'body.rule.all'],
      [{ all: [{ tag: 'a' }, { bogus: true }] }, 'body.rule.all[1]'],
      [{ any: [{ attr: 'city', op: 'like', value: 'x' }] }, 'body.rule.any[0].op'],
      [{ attr: 'shoe_size', op: 'eq', value: 1 }, 'body.rule.attr'],
      [{ attr: 'city', op: 'eq', value: 3 }, 'body.rule.value'],
      [{ attr: 'city', op: 'in', value: 'x' }, 'body.rule.value'],
      [{ attr: 'city', op: 'in', value: [] }, 'body.rule.value'],
      [{ attr: 'vip_level', op: 'between', value: [1] }, 'body.rule.value'],
      [{ attr: 'vip_level', op: 'eq', value: 'two' }, 'body.rule.value'],
      [{ attr: 'city', op: 'is_today' }, 'body.rule.op'],
      [{ attr: 'signup_at', op: 'within_days', value: -1 }, 'body.rule.value'],
      [{ attr: 'birthday', op: 'gt', value: '01/02/1990' }, 'body.rule.value'],
      [{ attr: 'city', op: 'eq', value: 'x', extra: 1 }, 'body.rule.extra'],
      [{ tag: 5 }, 'body.rule.tag'],
      [{ event: 'open' }, 'body.rule.event'],
      [{ event: 'click', within_days: 0 }, 'body.rule.within_days'],
      [{ event: 'click', count: { op: 'gte', value: -1 } }, 'body.rule.count.value'],
      [{ event: 'click', count: { op: 'approx', value: 1 } }, 'body.rule.count.op'],
      [{ event: 'click', where: [{ prop: 'revenue', op: 'gt', value: 'lots' }] }, 'body.rule.where[0].value'],
      [{ event: 'click', where: [{ prop: 'a b', op: 'eq', value: 'x' }] }, 'body.rule.where[0].prop'],
      [{ not: { not: { attr: 'city', op: 'eq' } } }, 'body.rule.not.not.value'],
      [{ rfm: { segment: 'royalty' } }, 'body.rule.rfm.segment'],
      [{ rfm: { r: { op: 'gte', value: 6 } } }, 'body.rule.rfm.r.value'],
      [{ cluster: { model: 'm1', in: [] } }, 'body.rule.cluster.in'],
    ];
    for (const [rule, field] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/segments/preview', headers: bearer(marketer), payload: { rule } });
      assert.equal(res.statusCode, 400, `${JSON.stringify(rule)}: ${res.body}`);
      assert.equal(res.json().field, field, `${JSON.stringify(rule)}: ${res.json().message}`);
    }
  });

  it('never lets a suppressed, opted-out or number-less contact into an audience, whatever the rule', async () => {
    const admin = await t.keyFor('admin', WS);
    const sender = await t.keyFor('sender', WS);
    await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: bearer(sender),
      payload: [
        { event_id: 'unsub1', type: 'unsubscribe', ts: now - 3600_000, user_id: 's0001', phone: data.contacts[1]!.phone },
        { event_id: 'compl1', type: 'complaint', ts: now - 3600_000, user_id: 's0002' },
        { event_id: 'td1', type: 'reply', ts: now - 3600_000, phone: data.contacts[3]!.phone, properties: { text: 'TD' } },
      ],
    });
    const everyone = await t.app.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: bearer(admin),
      payload: { name: 'everyone', rule: { not: { tag: 'no_such_tag' } } },
    });
    const { id } = everyone.json();
    const m = (await t.app.inject({ method: 'POST', url: `/v1/segments/${id}/materialize`, headers: bearer(admin), payload: {} })).json();
    const optedOut = data.contacts.filter((c) => c.consent === 'opted_out').map((c) => c.user_id);
    const noPhone = data.contacts.filter((c) => c.phone === '' && c.consent !== 'opted_out').map((c) => c.user_id);
    const suppressed = new Set(['s0001', 's0002', 's0003', ...optedOut]);
    assert.equal(m.excluded.suppressed, suppressed.size);
    assert.equal(m.excluded.no_phone, noPhone.filter((u) => !suppressed.has(u)).length);
    assert.equal(m.size, data.contacts.length - m.excluded.suppressed - m.excluded.no_phone);
    const exported = await t.app.inject({ method: 'GET', url: `/v1/audiences/${id}/export?fields=user_id&limit=100000`, headers: bearer(sender) });
    const users = exported.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).user_id as string);
    assert.equal(users.length, m.size);
    for (const u of [...suppressed, ...noPhone]) assert.ok(!users.includes(u), `${u} must not be exported`);
  });

  it('applies the weekly frequency cap (2, VIP 4) and the 3-7-15 rule when asked', async () => {
    const admin = await t.keyFor('admin', WS);
    const sender = await t.keyFor('sender', WS);
    const thisWeek = (k: number) => now - k * 60_000; // minutes before Wednesday noon: this week
    await t.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: bearer(admin),
      payload: [
        { user_id: 'cap_plain', phone: '13700000001', vip_level: 0, signup_at: now - 100 * DAY },
        { user_id: 'cap_vip3', phone: '13700000002', vip_level: 2, signup_at: now - 100 * DAY },
        { user_id: 'cap_vip4', phone: '13700000003', vip_level: 2, signup_at: now - 100 * DAY },
        { user_id: 'cap_new', phone: '13700000004', vip_level: 0, signup_at: now - 5 * DAY },
      ],
    });
    const sends = (user: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ event_id: `${user}_send${i}`, type: 'send', ts: thisWeek(i + 1), user_id: user }));
    await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: bearer(sender),
      payload: [...sends('cap_plain', 2), ...sends('cap_vip3', 3), ...sends('cap_vip4', 4)],
    });
    const seg = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/segments',
        headers: bearer(admin),
        payload: { name: 'cap', rule: { attr: 'user_id', op: 'in', value: ['cap_plain', 'cap_vip3', 'cap_vip4', 'cap_new'] } },
      })
    ).json();
    const m = (
      await t.app.inject({
        method: 'POST',
        url: `/v1/segments/${seg.id}/materialize`,
        headers: bearer(admin),
        payload: { eligibility: { frequency_cap: true, new_user_rule: true, send_window: { start: '09:00', end: '18:00', workdays_only: true } } },
      })
    ).json();
    assert.deepEqual({ size: m.size, cap: m.excluded.frequency_cap, fresh: m.excluded.new_user_rule }, { size: 1, cap: 2, fresh: 1 });
    const page = await t.app.inject({ method: 'GET', url: `/v1/audiences/${seg.id}/export?fields=user_id`, headers: bearer(sender) });
    assert.deepEqual(
      page.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).user_id),
      ['cap_vip3'],
    );
    assert.deepEqual(JSON.parse(page.headers['x-send-window'] as string), { start: '09:00', end: '18:00', workdays_only: true });
    // Service messages: day 5 after sign-up is allowed, unless a message already went out in the first 7 days.
    await t.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: bearer(admin),
      payload: [
        { user_id: 'svc_day2', phone: '13700000005', signup_at: now - 2 * DAY },
        { user_id: 'svc_day5_sent', phone: '13700000006', signup_at: now - 5 * DAY },
      ],
    });
    await t.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(sender), payload: sends('svc_day5_sent', 1) });
    const svc = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/segments',
        headers: bearer(admin),
        payload: { name: 'svc', rule: { attr: 'user_id', op: 'in', value: ['cap_new', 'svc_day2', 'svc_day5_sent'] } },
      })
    ).json();
    const service = (
      await t.app.inject({
        method: 'POST',
        url: `/v1/segments/${svc.id}/materialize`,
        headers: bearer(admin),
        payload: { eligibility: { new_user_rule: true, message_kind: 'service' } },
      })
    ).json();
    assert.deepEqual([service.size, service.excluded.new_user_rule], [1, 2], 'cap_new (day 5, nothing sent) may get a service message');
    const plain = (await t.app.inject({ method: 'POST', url: `/v1/segments/${seg.id}/materialize`, headers: bearer(admin), payload: {} })).json();
    assert.deepEqual([plain.version, plain.size], [2, 4], 'without eligibility options only suppression applies');
  });

  it('pages an export while new data arrives: exactly the snapshot, no duplicates, no gaps, in every format', async () => {
    const admin = await t.keyFor('admin', WS);
    const analyst = await t.keyFor('analyst', WS);
    const seg = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/segments',
        headers: bearer(admin),
        payload: { name: 'shanghai', rule: { attr: 'city', op: 'eq', value: '上海' } },
      })
    ).json();
    const m = (await t.app.inject({ method: 'POST', url: `/v1/segments/${seg.id}/materialize`, headers: bearer(admin), payload: {} })).json();
    const snapshot = await t.wh.query<{ user_id: string; phone: string }>(
      "SELECT user_id, phone FROM audience_members WHERE workspace_id = {ws:String} AND audience_id = {id:String} AND version = 1 AND excluded = '' ORDER BY user_id",
      { ws: WS, id: seg.id },
    );
    assert.equal(snapshot.length, m.size);
    for (const format of ['ndjson', 'csv', 'arrow'] as const) {
      const seen: { user_id: string; phone: string; name: string }[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await t.app.inject({
          method: 'GET',
          url: `/v1/audiences/${seg.id}/export?format=${format}&fields=user_id,phone,name&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
          headers: bearer(admin),
        });
        assert.equal(res.statusCode, 200, res.body);
        if (format === 'ndjson')
          seen.push(
            ...res.body
              .trim()
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l)),
          );
        else if (format === 'csv') {
          const [header, ...lines] = res.body.trim().split('\n');
          assert.equal(header, '"user_id","phone","name"');
          seen.push(
            ...lines.map((l) => {
              const [user_id, phone, name] = l.split(',').map((x) => x.replace(/^"|"$/g, ''));
              return { user_id: user_id!, phone: phone!, name: name! };
            }),
          );
        } else {
          const table = tableFromIPC(res.rawPayload);
          seen.push(...table.toArray().map((r) => ({ user_id: String(r.user_id), phone: String(r.phone), name: String(r.name) })));
        }
        cursor = res.headers['x-next-cursor'] as string | undefined;
        // New contacts and events arrive between pages; the snapshot must not move.
        await t.app.inject({
          method: 'POST',
          url: '/v1/contacts',
          headers: bearer(admin),
          payload: [
            { user_id: `late_${format}_${pages}`, phone: '13600000000', city: '上海' },
            { user_id: 's0000', city: '上海' },
          ],
        });
        pages++;
      } while (cursor);
      assert.deepEqual(
        seen.map((r) => r.user_id),
        snapshot.map((r) => r.user_id),
        format,
      );
      assert.deepEqual(
        seen.map((r) => r.phone),
        snapshot.map((r) => r.phone),
        `${format} phones`,
      );
      assert.ok(pages >= Math.ceil(snapshot.length / 7));
    }
    const masked = await t.app.inject({ method: 'GET', url: `/v1/audiences/${seg.id}/export?fields=user_id,phone&limit=100000`, headers: bearer(analyst) });
    assert.deepEqual(
      masked.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).phone),
      snapshot.map((r) => maskPhone(r.phone)),
    );
    const other = await t.keyFor('sender', 'seg_other');
    assert.equal((await t.app.inject({ method: 'GET', url: `/v1/audiences/${seg.id}/export`, headers: bearer(other) })).statusCode, 404);
    const bad = await t.app.inject({ method: 'GET', url: `/v1/audiences/${seg.id}/export?fields=user_id,password`, headers: bearer(admin) });
    assert.equal(bad.json().field, 'querystring.fields');
    assert.equal((await t.app.inject({ method: 'GET', url: `/v1/audiences/${seg.id}/export?limit=100001`, headers: bearer(admin) })).statusCode, 400);
  });

  it('keeps old versions readable until deleted', async () => {
    const admin = await t.keyFor('admin', WS);
    const seg = (await t.app.inject({ method: 'POST', url: '/v1/segments', headers: bearer(admin), payload: { name: 'v', rule: { tag: 'vip' } } })).json();
    await t.app.inject({ method: 'POST', url: `/v1/segments/${seg.id}/materialize`, headers: bearer(admin), payload: {} });
    await t.app.inject({ method: 'POST', url: `/v1/segments/${seg.id}/materialize`, headers: bearer(admin), payload: {} });
    const get = (v: number) => t.app.inject({ method: 'GET', url: `/v1/audiences/${seg.id}/export?version=${v}&fields=user_id`, headers: bearer(admin) });
    assert.equal((await get(1)).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/audiences/${seg.id}/versions/1`, headers: bearer(admin) })).statusCode, 204);
    assert.equal((await get(1)).statusCode, 404);
    assert.equal((await get(2)).statusCode, 200);
    const info = (await t.app.inject({ method: 'GET', url: `/v1/audiences/${seg.id}`, headers: bearer(admin) })).json();
    assert.deepEqual(
      info.versions.map((v: { version: number }) => v.version),
      [2],
    );
    const updated = (
      await t.app.inject({ method: 'PUT', url: `/v1/segments/${seg.id}`, headers: bearer(admin), payload: { name: 'v2', rule: { tag: 'parent_0_3' } } })
    ).json();
    assert.deepEqual(updated, { id: seg.id, version: 2 });
  });
});
