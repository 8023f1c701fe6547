import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metricCounts, rawMetricCounts, rollupTableFor } from '../../analytics/metrics.ts';
import { planRollupRead } from '../../analytics/metrics-plan.ts';
import { backfillMetricsRollup, backfillSlimMetricsRollup } from '../../warehouse/rollup-backfill.ts';
import type { Breakdown } from '../../analytics/event-filters.ts';
import type { WhereClause } from '../../segmentation/rule-types.ts';
import { seededRandom } from '../../demo/random.ts';
import { renderMigration } from '../../warehouse/ddl-render.ts';
import { listMigrations, migrate } from '../../warehouse/migrations.ts';
import { openWarehouse } from '../../warehouse/warehouse.ts';
import { storeEvents } from '../../ingest/event-store.ts';
import { validateEvent } from '../../ingest/event-validation.ts';
import { dropTestDatabase, testConfig } from '../helpers/warehouse.ts';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const WS = 'mr';
const OTHER = 'mr_other';
const HOUR = 3600_000;
const DAY = 24 * HOUR;
// Two weeks, Sunday to Sunday (UTC), around the end of US daylight saving time in the fixture year: the first
// Sunday of November, 06:00 UTC in America/New_York.
const FALL_BACK_DAY = Date.UTC(FIXTURE_YEAR, 10, 1 + ((7 - new Date(Date.UTC(FIXTURE_YEAR, 10, 1)).getUTCDay()) % 7));
const FROM = FALL_BACK_DAY - 7 * DAY;
const TO = FALL_BACK_DAY + 7 * DAY;
// Not on hour boundaries: the ragged ends are read from raw events.
const RAGGED_FROM = FROM + 3 * HOUR + 17 * 60_000 + 23_456;
const RAGGED_TO = TO - DAY + 19 * HOUR + 42 * 60_000 + 1_789;
const ZONES = ['UTC', 'Asia/Shanghai', 'Asia/Kathmandu', 'Asia/Kolkata', 'Pacific/Chatham', 'America/New_York'];
const CARRIERS = ['China Mobile', 'China Unicom', 'China Telecom'];
const REGIONS = ['广东', '浙江', '北京', ''];

interface Ev {
  event_id: string;
  type: string;
  ts: number;
  user_id: string;
  campaign_id: string;
  template_id: string;
  channel: string;
  carrier: string;
  region: string;
  status?: string;
  revenue?: number;
  properties?: Record<string, string>;
  experiment_id?: string;
  variant?: string;
}

/** Events of every type over the two weeks and a day either side, some on the exact hour and range edges. */
function generate(seed: number, n: number, prefix: string): Ev[] {
  const rnd = seededRandom(seed);
  const edges = [FROM, TO, RAGGED_FROM, RAGGED_TO, FALL_BACK_DAY + 6 * HOUR, FROM + 5 * DAY + 18 * HOUR + 15 * 60_000];
  return Array.from({ length: n }, (_, i) => {
    const type = rnd.weighted([
      ['send', 30],
      ['delivery', 28],
      ['click', 10],
      ['conversion', 4],
      ['unsubscribe', 1],
      ['reply', 3],
      ['complaint', 1],
      ['exposure', 2],
    ] as const);
    const at = rnd.chance(0.05) ? rnd.pick(edges) + rnd.pick([-1, 0, 1, -HOUR, 3599_999]) : FROM - DAY + Math.floor(rnd.next() * (TO - FROM + 2 * DAY));
    const e: Ev = {
      event_id: `${prefix}${i}`,
      type,
      ts: rnd.chance(0.05) ? Math.floor(at / HOUR) * HOUR : at,
      user_id: `u${rnd.int(1, 400)}`,
      campaign_id: rnd.pick(['c1', 'c2', 'c3', '']),
      template_id: rnd.pick(['t1', 't2']),
      channel: rnd.pick(['106', 'card', 'intl']),
      carrier: rnd.pick(CARRIERS),
      region: rnd.pick(REGIONS),
    };
    if (type === 'send') e.status = rnd.chance(0.96) ? 'accepted' : 'rejected';
    if (type === 'delivery') e.status = rnd.chance(0.92) ? 'delivered' : 'failed';
    if (type === 'conversion') e.revenue = rnd.int(0, 99_999) / 100 + rnd.int(0, 99) / 10_000;
    if (type === 'reply') e.properties = { text: rnd.pick(['TD', ' t ', 'hello', '退订']) };
    if (type === 'exposure') Object.assign(e, { experiment_id: 'exp1', variant: rnd.pick(['a', 'b']) });
    return e;
  });
}

describe('metrics rollup migration on a cluster', () => {
  it('renders a replicated SummingMergeTree sharded by workspace, fed from the local events table', () => {
    const source = listMigrations().find((f) => f.name === '0013_metrics_rollup')!.source;
    const [local, distributed, view] = renderMigration(source, { cluster: 'c1', vars: { event_retention_months: 25 } });
    assert.match(local!, /^CREATE TABLE IF NOT EXISTS metrics_hourly_local ON CLUSTER c1/);
    assert.match(local!, /ENGINE = ReplicatedSummingMergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/metrics_hourly_local', '\{replica\}'\)/);
    assert.match(local!, /TTL hour \+ toIntervalMonth\(25\)/);
    assert.match(distributed!, /ENGINE = Distributed\(c1, currentDatabase\(\), metrics_hourly_local, cityHash64\(workspace_id\)\)/);
    assert.match(view!, /ON CLUSTER c1 TO metrics_hourly AS[\s\S]*FROM events_local\n/);
  });
});

describe('metrics rollup on an existing installation', () => {
  it('0013 with its data step counts the events stored before it; later events reach it through the view', async () => {
    const wh = await openWarehouse(testConfig('metrics_rollup_upgrade').warehouse);
    try {
      const rows = (evs: Ev[]) =>
        evs.map((e) => {
          const v = validateEvent(WS, e);
          if (!v.ok) throw new Error(v.error.message);
          return v.row;
        });
      await migrate(
        wh,
        listMigrations().filter((f) => f.version < '0013'),
      );
      const old = generate(11, 3000, 'old');
      await storeEvents(wh, rows(old));
      await migrate(wh, listMigrations());
      const q = { fromMs: RAGGED_FROM, toMs: RAGGED_TO, interval: 'day' as const, tz: 'America/New_York', breakdown: 'carrier' as const, filters: [] };
      assert.ok(await planRollupRead(wh, q));
      const want = await rawMetricCounts(wh, WS, q);
      assert.equal(
        want.reduce((n, r) => n + Number(r.sends), 0),
        old.filter((e) => e.type === 'send' && e.ts >= RAGGED_FROM && e.ts < RAGGED_TO).length,
      );
      assert.deepEqual(await metricCounts(wh, WS, q), want);
      await storeEvents(wh, rows(generate(12, 3000, 'new')));
      const after = await rawMetricCounts(wh, WS, q);
      assert.notDeepEqual(after, want);
      assert.deepEqual(await metricCounts(wh, WS, q), after);
    } finally {
      await dropTestDatabase(wh);
    }
  });
});

describe('metrics: the hourly rollup answers exactly as raw events do', () => {
  let t: TestApp;
  const events = generate(7, 12_000, 'e');

  before(async () => {
    t = await startTestApp('metrics_rollup');
    await postEvents(t, await t.keyFor('sender', WS), events);
    // Another workspace's events at the same hours must never show.
    await postEvents(t, await t.keyFor('sender', OTHER), generate(8, 2000, 'o'));
  });
  after(() => t.close());

  const counts = (q: Parameters<typeof metricCounts>[2]) => metricCounts(t.wh, WS, q);
  const raw = (q: Parameters<typeof metricCounts>[2]) => rawMetricCounts(t.wh, WS, q);

  it('series are identical to the raw read in whole-hour, +05:45, +05:30, +13:45 and DST zones, aligned and ragged ranges, with breakdowns', async () => {
    let compared = 0;
    for (const tz of ZONES) {
      for (const interval of ['hour', 'day', 'week', undefined] as const) {
        for (const breakdown of [undefined, 'carrier', 'campaign_id', 'region'] as (Breakdown | undefined)[]) {
          for (const [fromMs, toMs] of [
            [FROM, TO],
            [RAGGED_FROM, RAGGED_TO],
          ]) {
            const q = { fromMs: fromMs!, toMs: toMs!, interval, tz, breakdown, filters: [] };
            // +05:45 and +05:30 hours are never whole UTC hours, and their days start inside an hour on every day
            // (reading those hours costs reading their days): raw. Every other case reads the rollup.
            const rawOnly = (interval === 'hour' || interval === 'day') && ['Asia/Kathmandu', 'Asia/Kolkata', 'Pacific/Chatham'].includes(tz);
            assert.equal((await planRollupRead(t.wh, q)) === undefined, rawOnly, `${tz} ${interval}`);
            const fromRaw = await rawMetricCounts(t.wh, WS, q);
            assert.ok(fromRaw.length > 0);
            assert.deepEqual(await counts(q), fromRaw, `${tz} ${interval} ${breakdown} ${new Date(fromMs!).toISOString()}`);
            compared++;
          }
        }
      }
    }
    assert.equal(compared, ZONES.length * 4 * 4 * 2);
  });

  it('filters on rolled-up dimensions give the raw rows too (eq, in, neq, exists, contains)', async () => {
    const filterSets: WhereClause[][] = [
      [{ prop: 'carrier', op: 'eq', value: 'China Telecom' }],
      [
        { prop: 'region', op: 'in', value: ['广东', '北京'] },
        { prop: 'channel', op: 'neq', value: 'intl' },
      ],
      [{ prop: 'campaign_id', op: 'exists' }],
      [{ prop: 'template_id', op: 'contains', value: '2' }],
      [{ prop: 'carrier', op: 'eq', value: 'no such carrier' }],
    ];
    for (const filters of filterSets) {
      for (const tz of ['Asia/Kathmandu', 'America/New_York']) {
        const q = { fromMs: RAGGED_FROM, toMs: RAGGED_TO, interval: 'week' as const, tz, breakdown: 'carrier' as const, filters };
        assert.ok(await planRollupRead(t.wh, q), 'read from the rollup');
        assert.deepEqual(await counts(q), await raw(q), `${tz} ${JSON.stringify(filters)}`);
      }
    }
  });

  it('day buckets match a plain count in New York across the DST change (rollup) and in Kathmandu (+05:45, raw), revenue to the cent', async () => {
    const localDay = (ms: number, tz: string) =>
      new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
    for (const tz of ['Asia/Kathmandu', 'America/New_York']) {
      const want = new Map<string, { delivered: number; clicks: number; unsubscribes: number; revenue: number }>();
      for (const e of events) {
        if (e.ts < RAGGED_FROM || e.ts >= RAGGED_TO) continue;
        const d = localDay(e.ts, tz);
        const x = want.get(d) ?? { delivered: 0, clicks: 0, unsubscribes: 0, revenue: 0 };
        if (e.type === 'delivery' && e.status === 'delivered') x.delivered++;
        if (e.type === 'click') x.clicks++;
        if (e.type === 'unsubscribe' || (e.type === 'reply' && ['TD', 'T'].includes(e.properties!.text!.trim().toUpperCase()))) x.unsubscribes++;
        // In ten-thousandths, as stored: exact integer sums.
        x.revenue += Math.round((e.revenue ?? 0) * 10_000);
        want.set(d, x);
      }
      const rows = await counts({ fromMs: RAGGED_FROM, toMs: RAGGED_TO, interval: 'day', tz, filters: [] });
      const got = rows.map((r) => [
        localDay(Number(r.bucket_s) * 1000, tz),
        Number(r.delivered),
        Number(r.clicks),
        Number(r.unsubscribes),
        Math.round(r.revenue * 10_000),
      ]);
      assert.deepEqual(
        got,
        [...want].sort().map(([d, x]) => [d, x.delivered, x.clicks, x.unsubscribes, x.revenue]),
        tz,
      );
    }
  });

  it('reads whole hours from the rollup and only the hours a bucket boundary cuts from raw events', async () => {
    const plan = (q: Partial<Parameters<typeof planRollupRead>[1]>) => planRollupRead(t.wh, { fromMs: FROM, toMs: TO, tz: 'UTC', filters: [], ...q });
    // Whole-hour zones, DST included: every hour from the rollup.
    for (const tz of ['UTC', 'Asia/Shanghai', 'America/New_York']) {
      for (const interval of ['hour', 'day', 'week'] as const) {
        assert.deepEqual(await plan({ tz, interval }), { rollupFromMs: FROM, rollupToMs: TO, rawHours: [], rawRanges: [] }, `${tz} ${interval}`);
      }
    }
    // Kathmandu's weeks start on Sundays at 18:15 UTC: that hour is raw, the rest comes from the rollup.
    const kathmandu = (await plan({ tz: 'Asia/Kathmandu', interval: 'week' }))!;
    const cut = [FROM + 18 * HOUR, FALL_BACK_DAY + 18 * HOUR];
    assert.deepEqual(kathmandu, { rollupFromMs: FROM, rollupToMs: TO, rawHours: cut, rawRanges: cut.map((h) => [h, h + HOUR]) });
    // Its days start inside an hour every day (raw hours on every day cost reading every day): raw events. Its
    // hours never align with UTC hours: nothing to read from the rollup.
    assert.equal(await plan({ tz: 'Asia/Kathmandu', interval: 'day' }), undefined);
    assert.equal(await plan({ tz: 'Asia/Kathmandu', interval: 'hour' }), undefined);
    // Two days with ragged ends (3 calendar days, 2 read raw): raw; two weeks with ragged ends: split.
    assert.equal(await plan({ fromMs: RAGGED_FROM, toMs: RAGGED_FROM + 2 * DAY }), undefined);
    assert.ok(await plan({ fromMs: RAGGED_FROM, toMs: RAGGED_TO }));
    // Headline cards (one bucket): only the ragged ends are raw, whatever the zone.
    assert.deepEqual(await plan({ tz: 'Asia/Kathmandu', fromMs: RAGGED_FROM, toMs: RAGGED_TO }), {
      rollupFromMs: FROM + 4 * HOUR,
      rollupToMs: TO - DAY + 19 * HOUR,
      rawHours: [],
      rawRanges: [
        [RAGGED_FROM, FROM + 4 * HOUR],
        [TO - DAY + 19 * HOUR, RAGGED_TO],
      ],
    });
    // Dimensions the rollup does not keep, or no whole hour, or years outside it: raw events.
    assert.equal(await plan({ breakdown: 'variant' }), undefined);
    for (const prop of ['status', 'revenue', 'error_code', 'category', 'constructor']) {
      assert.equal(await plan({ filters: [{ prop, op: 'exists' }] }), undefined, prop);
    }
    assert.equal(await plan({ fromMs: FROM + 60_000, toMs: FROM + HOUR + 59_000 }), undefined);
    assert.equal(await plan({ fromMs: Date.parse('1969-12-01T00:00:00Z'), toMs: Date.parse('1970-02-01T00:00:00Z') }), undefined);
  });

  it('a variant breakdown and a property filter still answer, from raw events', async () => {
    const byVariant = await counts({ fromMs: FROM, toMs: TO, interval: 'day', tz: 'UTC', breakdown: 'variant', filters: [] });
    const exposures = events.filter((e) => e.type === 'exposure' && e.ts >= FROM && e.ts < TO);
    assert.deepEqual(new Set(byVariant.map((r) => r.grp)), new Set(['', ...exposures.map((e) => e.variant!)]));
    const replies = await counts({ fromMs: FROM, toMs: TO, tz: 'UTC', filters: [{ prop: 'text', op: 'eq', value: 'TD' }] });
    assert.equal(Number(replies[0]!.unsubscribes), events.filter((e) => e.ts >= FROM && e.ts < TO && e.properties?.text === 'TD').length);
  });

  it('over HTTP: series and headline cards equal the raw read in a +05:45 zone with ragged ends', async () => {
    assert.ok(
      (await planRollupRead(t.wh, { fromMs: RAGGED_FROM, toMs: RAGGED_TO, interval: 'week', tz: 'Asia/Kathmandu', breakdown: 'carrier', filters: [] }))
        ?.rawHours.length,
      'split between rollup and raw',
    );
    const analyst = await t.keyFor('analyst', WS);
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const get = async (path: string): Promise<any> => {
      const res = await fetch(`${address}${path}`, { headers: bearer(analyst) });
      assert.equal(res.status, 200, await res.clone().text());
      return res.json();
    };
    const range = `from=${new Date(RAGGED_FROM).toISOString()}&to=${new Date(RAGGED_TO).toISOString()}`;
    const series = await get(`/v1/metrics?metric=revenue&interval=week&tz=Asia/Kathmandu&breakdown=carrier&${range}`);
    const want = await raw({ fromMs: RAGGED_FROM, toMs: RAGGED_TO, interval: 'week', tz: 'Asia/Kathmandu', breakdown: 'carrier', filters: [] });
    assert.deepEqual(
      series.series.map((p: { bucket: string; group: string; numerator: number; denominator: number }) => [p.bucket, p.group, p.numerator, p.denominator]),
      want.map((r) => [new Date(Number(r.bucket_s) * 1000).toISOString(), r.grp, r.revenue, Number(r.delivered)]),
    );
    const cards = (await get(`/v1/metrics/summary?tz=Asia/Kathmandu&${range}`)).cards as { metric: string; numerator: number; denominator: number }[];
    const [total] = await raw({ fromMs: RAGGED_FROM, toMs: RAGGED_TO, tz: 'Asia/Kathmandu', filters: [] });
    const unsubscribes = cards.find((c) => c.metric === 'unsubscribe_rate')!;
    assert.deepEqual([unsubscribes.numerator, unsubscribes.denominator], [Number(total!.unsubscribes), Number(total!.delivered)]);
    assert.equal(
      cards.find((c) => c.metric === 'send_success_rate')!.denominator,
      events.filter((e) => e.type === 'send' && e.ts >= RAGGED_FROM && e.ts < RAGGED_TO).length,
    );
  });

  it('the backfill refills the rollup from stored events, and running it twice changes nothing', async () => {
    // By carrier: the slim table answers; by campaign: metrics_hourly.
    const byCarrier = { fromMs: FROM, toMs: TO, interval: 'day' as const, tz: 'Asia/Shanghai', breakdown: 'carrier' as const, filters: [] };
    const byCampaign = { ...byCarrier, breakdown: 'campaign_id' as const };
    assert.deepEqual([rollupTableFor(byCarrier), rollupTableFor(byCampaign)], ['metrics_hourly_slim', 'metrics_hourly']);
    const want = [await raw(byCarrier), await raw(byCampaign)];
    // An installation whose events predate the views: the rollups are empty, and the reader shows it reads them.
    await t.wh.ddl('TRUNCATE TABLE metrics_hourly');
    await t.wh.ddl('TRUNCATE TABLE metrics_hourly_slim');
    assert.deepEqual([await counts(byCarrier), await counts(byCampaign)], [[], []]);
    for (let run = 0; run < 2; run++) {
      await backfillMetricsRollup(t.wh);
      await backfillSlimMetricsRollup(t.wh);
      assert.deepEqual([await counts(byCarrier), await counts(byCampaign)], want, `run ${run + 1}`);
    }
    const [{ rows }] = (await t.wh.query<{ rows: string }>('SELECT count() AS rows FROM metrics_hourly WHERE workspace_id = {ws:String}', { ws: OTHER })) as [
      { rows: string },
    ];
    assert.ok(Number(rows) > 0, 'every workspace is refilled');
  });
});
