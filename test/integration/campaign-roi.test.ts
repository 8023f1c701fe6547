/**
 * Prices per billed part (versioned) and GET /v1/campaigns/roi. Seeded generated campaigns are posted through the
 * API; the test computes parts, prices, costs, last-touch attribution and ROI itself over the same events (a plain
 * loop, no SQL) and compares every group for every grouping. Planted cases: a conversion two campaigns could claim
 * (the later delivery wins), a conversion outside the window (unattributed, attributed with a longer window), a
 * carrier-specific price, a price change mid-period (only later sends), another workspace's events (never counted).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';
import { testRandom } from '../helpers/random.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.parse('2025-06-02T00:00:00Z');
const FROM = T0;
const TO = T0 + 10 * DAY;
const WS = 'ws_roi';

interface Ev {
  event_id: string;
  type: 'send' | 'delivery' | 'conversion';
  ts: number;
  user_id: string;
  campaign_id?: string;
  template_id?: string;
  message_id?: string;
  channel?: string;
  carrier?: string;
  status?: string;
  revenue?: number;
  properties?: Record<string, string | number>;
}

interface PriceVersion {
  effective_from: string;
  default_per_part: number;
  rules: { channel: string; carrier?: string | null; per_part: number }[];
}

const PRICES: PriceVersion[] = [
  {
    effective_from: new Date(T0 - 30 * DAY).toISOString(),
    default_per_part: 0.04,
    rules: [
      { channel: '106', per_part: 0.035 },
      { channel: '106', carrier: 'China Mobile', per_part: 0.03 },
    ],
  },
  // Mid-period: only sends from T0 + 5 days on.
  { effective_from: new Date(T0 + 5 * DAY).toISOString(), default_per_part: 0.05, rules: [{ channel: '106', carrier: 'China Mobile', per_part: 0.045 }] },
];

const CARRIERS = ['China Mobile', 'China Unicom', 'China Telecom'];
const LONG_TEXT = '尊敬的会员，您的专属优惠券已到账，全场满199减50，限时三天，点击链接领取并查看活动详情，回T退订。'.repeat(2);

/** Generated campaigns with planted cases; `registered` is the id of a 2+-part template saved in the registry. */
function generate(registered: string): { events: Ev[]; users: string[] } {
  const rnd = testRandom('campaign-roi');
  const events: Ev[] = [];
  let tick = 0;
  // Distinct milliseconds everywhere, so "the most recent delivery" is never a tie.
  const at = (ms: number) => ms + (tick++ % 997);
  const users = Array.from({ length: 70 }, (_, i) => `u${i}`);
  const carrierOf = new Map(users.map((u) => [u, rnd.pick(CARRIERS)]));
  const campaigns = Array.from({ length: 9 }, (_, i) => ({
    id: `cmp_${i}`,
    // Two before the range and one after it, to test both edges.
    sendMs: i === 0 ? T0 - 2 * DAY : i === 8 ? TO + 3 * HOUR : T0 + rnd.int(0, 9 * 24) * HOUR,
    channel: rnd.chance(0.7) ? '106' : 'card',
    template: rnd.pick([registered, 'tpl_unregistered', '']),
    segment: rnd.pick(['seg_a', 'seg_b', '']),
  }));
  for (const c of campaigns) {
    for (const u of users) {
      if (!rnd.chance(0.5)) continue;
      const m = `${c.id}_${u}`;
      const common = {
        user_id: u,
        campaign_id: c.id,
        message_id: m,
        channel: c.channel,
        carrier: carrierOf.get(u)!,
        ...(c.template && { template_id: c.template }),
      };
      const sendTs = at(c.sendMs + rnd.int(0, 30) * 60_000);
      const properties: Record<string, string | number> = {};
      if (c.segment) properties.segment_id = c.segment;
      if (rnd.chance(0.2)) properties.parts = rnd.pick([3, 0, 300, 'x']); // only 3 is a usable report
      const accepted = rnd.chance(0.93);
      events.push({ ...common, event_id: `${m}:s`, type: 'send', ts: sendTs, status: accepted ? 'accepted' : 'rejected', properties });
      if (!accepted) continue;
      const delivered = rnd.chance(0.9);
      const deliveryTs = at(sendTs + rnd.int(5, 600) * 1000);
      events.push({ ...common, event_id: `${m}:d`, type: 'delivery', ts: deliveryTs, status: delivered ? 'delivered' : 'failed' });
      if (rnd.chance(0.25)) {
        // Some within the 7-day window, some after it; the conversion names the campaign, which attribution ignores.
        const revenue = rnd.int(100, 50_000) / 100;
        events.push({ ...common, event_id: `${m}:c`, type: 'conversion', ts: at(deliveryTs + rnd.int(1, 9 * 24) * HOUR), revenue });
      }
    }
  }
  // Conversions of people never messaged: unattributed.
  for (let i = 0; i < 4; i++)
    events.push({ event_id: `lone${i}`, type: 'conversion', ts: at(T0 + rnd.int(0, 9 * 24) * HOUR), user_id: `stranger${i}`, revenue: 10 });
  // A then B deliver to the same contact before one conversion: B (the later) gets it.
  const claim = (id: string, ms: number, carrier: string): Ev[] => [
    { event_id: `${id}:s`, type: 'send', ts: ms, user_id: 'u_claim', campaign_id: id, message_id: id, channel: '106', carrier, status: 'accepted' },
    {
      event_id: `${id}:d`,
      type: 'delivery',
      ts: ms + 60_000,
      user_id: 'u_claim',
      campaign_id: id,
      message_id: id,
      channel: '106',
      carrier,
      status: 'delivered',
    },
  ];
  events.push(...claim('cmp_A', T0 + DAY, 'China Mobile'), ...claim('cmp_B', T0 + 6 * DAY, 'China Mobile'));
  events.push({ event_id: 'claim:c', type: 'conversion', ts: T0 + 6 * DAY + 2 * HOUR, user_id: 'u_claim', campaign_id: 'cmp_A', revenue: 88.8 });
  // Delivered by C, converted 8 days later: outside the default 7-day window.
  events.push(
    { event_id: 'late:s', type: 'send', ts: T0 + HOUR, user_id: 'u_late', campaign_id: 'cmp_C', message_id: 'late', channel: 'card', carrier: 'China Unicom' },
    {
      event_id: 'late:d',
      type: 'delivery',
      ts: T0 + 2 * HOUR,
      user_id: 'u_late',
      campaign_id: 'cmp_C',
      message_id: 'late',
      channel: 'card',
      status: 'delivered',
    },
    { event_id: 'late:c', type: 'conversion', ts: T0 + 8 * DAY + 2 * HOUR, user_id: 'u_late', revenue: 500 },
  );
  return { events, users };
}

type Figures = {
  messages: number;
  parts: number;
  cost: number;
  unpriced_messages: number;
  conversions: number;
  revenue: number;
  roi: number | null;
  cost_per_conversion: number | null;
};

/** The expected answer, computed over the events in plain TypeScript (money in millionths and cents, exact). */
function expected(events: Ev[], groupBy: string, templateParts: Map<string, number>, windowDays: number, prices = PRICES) {
  const window = windowDays * DAY;
  const segmentOfMessage = new Map(
    events.filter((e) => e.type === 'send' && e.properties?.segment_id).map((e) => [e.message_id, String(e.properties!.segment_id)]),
  );
  const keyOf = (e: Ev) =>
    groupBy === 'campaign'
      ? (e.campaign_id ?? '')
      : groupBy === 'template'
        ? (e.template_id ?? '')
        : groupBy === 'channel'
          ? (e.channel ?? '')
          : String(e.properties?.segment_id ?? (e.type === 'delivery' ? (segmentOfMessage.get(e.message_id) ?? '') : ''));
  const groups = new Map<string, { messages: number; parts: number; micros: number; unpriced: number; conversions: number; cents: number }>();
  const group = (k: string) => {
    if (!groups.has(k)) groups.set(k, { messages: 0, parts: 0, micros: 0, unpriced: 0, conversions: 0, cents: 0 });
    return groups.get(k)!;
  };
  const inRange = (ms: number) => ms >= FROM && ms < TO;
  for (const e of events.filter((x) => x.type === 'send' && x.status !== 'rejected' && inRange(x.ts))) {
    const g = group(keyOf(e));
    const reported = Number(e.properties?.parts);
    const parts = Number.isInteger(reported) && reported >= 1 && reported <= 255 ? reported : (templateParts.get(e.template_id ?? '') ?? 1);
    const version = prices.filter((p) => Date.parse(p.effective_from) <= e.ts).at(-1);
    const rule =
      version?.rules.find((r) => r.channel === e.channel && r.carrier === e.carrier) ?? version?.rules.find((r) => r.channel === e.channel && !r.carrier);
    const perPart = version ? (rule?.per_part ?? version.default_per_part) : 0;
    g.messages += 1;
    g.parts += parts;
    g.micros += parts * Math.round(perPart * 1e6);
    if (!version) g.unpriced += 1;
  }
  const deliveries = events.filter((e) => e.type === 'delivery' && e.status === 'delivered');
  const unattributed = { conversions: 0, cents: 0 };
  for (const c of events.filter((e) => e.type === 'conversion' && e.ts >= FROM && e.ts < TO + window)) {
    const touches = deliveries.filter((d) => d.user_id === c.user_id && d.ts <= c.ts).sort((a, b) => a.ts - b.ts);
    const last = touches.at(-1);
    const cents = Math.round(c.revenue! * 100);
    if (last && c.ts - last.ts <= window) {
      if (inRange(last.ts)) {
        const g = group(keyOf(last));
        g.conversions += 1;
        g.cents += cents;
      }
    } else if (c.ts < TO) {
      unattributed.conversions += 1;
      unattributed.cents += cents;
    }
  }
  const figures = (g: { messages: number; parts: number; micros: number; unpriced: number; conversions: number; cents: number }): Figures => {
    const cost = g.micros / 1e6;
    const revenue = g.cents / 100;
    return {
      messages: g.messages,
      parts: g.parts,
      cost,
      unpriced_messages: g.unpriced,
      conversions: g.conversions,
      revenue,
      roi: cost === 0 ? null : (revenue - cost) / cost,
      cost_per_conversion: g.conversions === 0 ? null : cost / g.conversions,
    };
  };
  const all = [...groups.values()];
  const sum = (k: keyof (typeof all)[number]) => all.reduce((s, g) => s + g[k], 0);
  return {
    groups: [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, g]) => ({ key, ...figures(g) })),
    totals: figures({
      messages: sum('messages'),
      parts: sum('parts'),
      micros: sum('micros'),
      unpriced: sum('unpriced'),
      conversions: sum('conversions'),
      cents: sum('cents'),
    }),
    unattributed: { conversions: unattributed.conversions, revenue: unattributed.cents / 100 },
  };
}

/** Figures rounded where floating point may differ in the last bits (ratios, money sums). */
function rounded<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e6) / 1e6 : v)));
}

describe('campaign costs and ROI', () => {
  let t: TestApp;
  let admin: string;
  let analyst: string;
  let events: Ev[];
  let other: Ev[];
  const templateParts = new Map<string, number>();

  const get = (url: string, key = analyst) => t.app.inject({ method: 'GET', url, headers: bearer(key) });
  const roi = (query: Record<string, string>, key = analyst) =>
    get(`/v1/campaigns/roi?${new URLSearchParams({ from: new Date(FROM).toISOString(), to: new Date(TO).toISOString(), ...query })}`, key);
  const putPrices = (payload: object, key = admin) => t.app.inject({ method: 'PUT', url: '/v1/prices', headers: bearer(key), payload });

  before(async () => {
    t = await startTestApp('campaign_roi');
    admin = await t.keyFor('admin', WS);
    analyst = await t.keyFor('analyst', WS);
    const marketer = await t.keyFor('marketer', WS);
    const saved = await t.app.inject({
      method: 'POST',
      url: '/v1/templates',
      headers: bearer(marketer),
      payload: { name: 'long promo', text: LONG_TEXT, signature: '商城', kind: 'promotion' },
    });
    assert.equal(saved.statusCode, 201, saved.body);
    templateParts.set(saved.json().id, saved.json().check.parts.parts);
    assert.ok(saved.json().check.parts.parts >= 2, 'the registered template takes several parts');
    for (const p of PRICES) assert.equal((await putPrices(p)).statusCode, 200);
    events = generate(saved.json().id).events;
    await postEvents(t, await t.keyFor('sender', WS), events);
    // Another workspace: the same people and campaigns, converting heavily; never counted in WS.
    other = events.map((e) => (e.type === 'conversion' ? { ...e, revenue: 9999 } : e));
    await postEvents(t, await t.keyFor('sender', 'ws_roi_other'), other);
  });
  after(() => t?.close());

  for (const groupBy of ['campaign', 'template', 'channel', 'segment']) {
    it(`by ${groupBy}: every group equals an independent computation over the same events`, async () => {
      const res = await roi({ group_by: groupBy });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      const want = expected(events, groupBy, templateParts, 7);
      assert.ok(want.groups.length >= 2 && want.totals.conversions > 0 && want.unattributed.conversions > 0, 'the data exercises every path');
      assert.deepEqual(rounded({ groups: body.groups, totals: body.totals, unattributed: body.unattributed }), rounded(want));
      assert.deepEqual([body.group_by, body.attribution_days, body.currency], [groupBy, 7, 'CNY']);
    });
  }

  it('last touch across campaigns: A then B delivered before the conversion, B gets it; a longer window attributes the late one', async () => {
    const byCampaign = (body: { groups: ({ key: string } & Figures)[] }) => new Map(body.groups.map((g) => [g.key, g]));
    const groups = byCampaign((await roi({})).json());
    assert.equal(groups.get('cmp_A')!.conversions, 0);
    assert.deepEqual([groups.get('cmp_B')!.conversions, groups.get('cmp_B')!.revenue], [1, 88.8]);
    // One 1-part message each to China Mobile on channel 106: the carrier's rule of the version in effect.
    assert.equal(groups.get('cmp_A')!.cost, 0.03);
    assert.equal(groups.get('cmp_B')!.cost, 0.045);
    assert.ok(Math.abs(groups.get('cmp_B')!.roi! - (88.8 - 0.045) / 0.045) < 1e-9);
    assert.equal(groups.get('cmp_C')!.conversions, 0, 'converted 8 days after the delivery: outside 7 days');
    const longer = await roi({ attribution_days: '9' });
    assert.equal(byCampaign(longer.json()).get('cmp_C')!.conversions, 1);
    assert.deepEqual(rounded(longer.json().groups), rounded(expected(events, 'campaign', templateParts, 9).groups));
  });

  it('prices: every version newest first, with their rules, and the one in effect now', async () => {
    const body = (await get('/v1/prices')).json();
    assert.equal(body.currency, 'CNY');
    assert.deepEqual(
      body.versions.map((v: { effective_from: string }) => v.effective_from),
      [PRICES[1]!.effective_from, PRICES[0]!.effective_from],
    );
    assert.equal(body.current.effective_from, PRICES[1]!.effective_from);
    assert.deepEqual(body.versions[1].rules, [
      { channel: '106', carrier: null, per_part: 0.035 },
      { channel: '106', carrier: 'China Mobile', per_part: 0.03 },
    ]);
  });

  it('refuses bad prices and bad questions with a 400 naming the field; only admins set prices', async () => {
    const cases: [object, string][] = [
      [{ default_per_part: 0.01, effective_from: new Date(T0).toISOString() }, 'body.effective_from'],
      [{ default_per_part: 0.01, currency: 'USD' }, 'body.currency'],
      [{ default_per_part: -1 }, 'body.default_per_part'],
      [{ default_per_part: 0.0000001 }, 'body.default_per_part'],
      [{ default_per_part: 0.01, rules: [{ channel: '106', per_part: 0.0300001 }] }, 'body.rules[0].per_part'],
      [{ default_per_part: 0.01, rules: [{ channel: ' ', per_part: 0.03 }] }, 'body.rules[0].channel'],
      [
        {
          default_per_part: 0.01,
          rules: [
            { channel: '106', per_part: 0.03 },
            { channel: '106', carrier: null, per_part: 0.02 },
          ],
        },
        'body.rules[1]',
      ],
      [{ default_per_part: 0.01, effective_from: 'yesterday' }, 'body.effective_from'],
    ];
    for (const [payload, field] of cases) {
      const res = await putPrices(payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().field, field, JSON.stringify(payload));
    }
    assert.equal((await putPrices({ default_per_part: 0.01 }, analyst)).statusCode, 403);
    assert.equal((await get('/v1/prices')).json().versions.length, 2, 'nothing refused was stored');
    const questions: [Record<string, string>, string][] = [
      [{ group_by: 'carrier' }, 'querystring.group_by'],
      [{ attribution_days: '0' }, 'querystring.attribution_days'],
      [{ attribution_days: '91' }, 'querystring.attribution_days'],
      [{ to: new Date(FROM - DAY).toISOString() }, 'querystring.to'],
      [{ to: new Date(FROM + 401 * DAY).toISOString() }, 'querystring.to'],
      [{ from: 'soon' }, 'querystring.from'],
    ];
    for (const [query, field] of questions) {
      const res = await roi(query);
      assert.equal(res.statusCode, 400, JSON.stringify(query));
      assert.equal(res.json().field, field, JSON.stringify(query));
    }
    assert.equal((await roi({}, await t.keyFor('sender', WS))).statusCode, 403);
  });

  it('another workspace sees only its own events, in its own currency, unpriced until it sets prices', async () => {
    const otherAdmin = await t.keyFor('admin', 'ws_roi_other');
    const ws = await t.app.inject({ method: 'PUT', url: '/v1/workspace', headers: bearer(otherAdmin), payload: { currency: 'USD' } });
    assert.equal(ws.json().currency, 'USD');
    assert.equal(
      (await t.app.inject({ method: 'PUT', url: '/v1/workspace', headers: bearer(otherAdmin), payload: { currency: 'usd' } })).json().field,
      'body.currency',
    );
    const body = (await roi({}, otherAdmin)).json();
    assert.equal(body.currency, 'USD');
    // Its own events, its own (empty) template registry and no prices: every message unpriced, costs 0, ROI null.
    const want = expected(other, 'campaign', new Map(), 7, []);
    assert.deepEqual(rounded({ groups: body.groups, totals: body.totals, unattributed: body.unattributed }), rounded(want));
    assert.equal(body.totals.unpriced_messages, body.totals.messages);
    assert.equal(body.totals.roi, null);
    assert.deepEqual((await get('/v1/prices', otherAdmin)).json(), { currency: 'USD', current: null, versions: [] });
  });

  it('answers the same through a real listener', async () => {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const query = new URLSearchParams({ from: new Date(FROM).toISOString(), to: new Date(TO).toISOString(), group_by: 'channel' });
    const res = await fetch(`${url}/v1/campaigns/roi?${query}`, { headers: bearer(analyst) });
    assert.equal(res.status, 200);
    assert.deepEqual(rounded((await res.json()) as object), rounded({ ...(await roi({ group_by: 'channel' })).json() }));
  });
});
