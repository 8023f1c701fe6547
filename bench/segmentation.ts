/**
 * Segmentation at scale: 1M contacts and 10M events generated in ClickHouse (INSERT ... SELECT from
 * numbers(), not through the API: this measures the queries, not the loading). Preview and materialize
 * of a rule with a tag, a behaviour and an attribute leaf, against a baseline scan of the same tables;
 * then exports of the whole audience in each format through HTTP, against ClickHouse writing the same
 * rows to a stream in process.
 */
import { createApiKey } from '../access/api-keys.ts';
import { buildApp } from '../api/app.ts';
import { runFunnel } from '../analytics/funnels.ts';
import { metricSeries } from '../analytics/metrics.ts';
import { materializeAudience } from '../segmentation/audiences.ts';
import type { EventLeaf, Rule } from '../segmentation/rule-types.ts';
import { previewRule, saveSegment } from '../segmentation/segments.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { benchWarehouse, printTable, seconds } from './harness.ts';
import { RULES } from './scale.ts';

/** Electronics buyers of the last 30 days tagged as interested, VIP 1 and up: tag, behaviour and attribute at once. */
const ELECTRONICS_BUYERS_VIP: Rule = {
  all: [
    { tag: 'interest', value: 'electronics' },
    { event: 'conversion', where: [{ prop: 'category', op: 'eq', value: 'electronics' }], within_days: 30 },
    { attr: 'vip_level', op: 'gte', value: 1 },
  ],
};

const WS = 'bench_seg';

export async function benchSegmentation(contacts: number, events: number): Promise<void> {
  const b = await benchWarehouse({ QUERY_TIMEOUT_SECONDS: '600' });
  const wh = b.wh;
  const loadSeconds = await seconds(async () => {
    await wh.command(
      `INSERT INTO contacts (workspace_id, user_id, phone, name, city, region, vip_level, consent, attributes, updated_at, signup_at)
      SELECT {ws:String}, concat('u', toString(number)), concat('+86138', leftPad(toString(number), 8, '0')), concat('n', toString(number)),
             ['上海','北京','杭州','成都'][1 + number % 4], ['广东','浙江'][1 + number % 2], toUInt8(number % 4), 'opted_in', map('score', toString(number % 100)),
             now64(3), now64(3) - toIntervalDay(number % 400)
      FROM numbers({n:UInt64})`,
      { ws: WS, n: contacts },
    );
    await wh.command(
      `INSERT INTO tags (workspace_id, user_id, tag, value, source, assigned_at, version, is_deleted)
      SELECT {ws:String}, concat('u', toString(number)), 'interest', ['electronics','books','food'][1 + number % 3], 'bench', now64(3), 1, 0 FROM numbers({n:UInt64})`,
      { ws: WS, n: contacts },
    );
    await wh.command(
      `INSERT INTO events (workspace_id, event_id, type, ts, user_id, campaign_id, revenue, properties)
      SELECT {ws:String}, concat('e', toString(number)), ['send','delivery','click','conversion'][1 + number % 4], now64(3) - toIntervalSecond(number % (90 * 86400)),
             concat('u', toString(cityHash64(number) % {contacts:UInt64})), concat('c', toString(number % 50)), if(number % 4 = 3, toDecimal64(number % 500, 4), toDecimal64(0, 4)),
             map('category', ['electronics','books','food'][1 + intDiv(number, 4) % 3])
      FROM numbers({n:UInt64})`,
      { ws: WS, n: events, contacts },
    );
  });
  console.log(
    `\nSegmentation data: ${contacts.toLocaleString('en')} contacts, ${events.toLocaleString('en')} events, generated in ${loadSeconds.toFixed(1)} s`,
  );
  // How much the per-contact daily rollups fold the events (rows per table, after merges settle).
  const sizes = await wh.query<{ table: string; rows: string }>(
    "SELECT table, sum(rows) AS rows FROM system.parts WHERE database = currentDatabase() AND active AND table IN ('events', 'contact_daily', 'contact_daily_dims') GROUP BY table ORDER BY table",
  );
  console.log(`Stored rows: ${sizes.map((r) => `${r.table} ${Number(r.rows).toLocaleString('en')}`).join(', ')}`);
  const rule = ELECTRONICS_BUYERS_VIP;
  const nowMs = Date.now();
  const baseline = await seconds(() => wh.query('SELECT count() FROM contacts FINAL WHERE workspace_id = {ws:String} AND vip_level >= 1', { ws: WS }));
  let count = 0;
  const preview = await seconds(async () => (count = (await previewRule(wh, WS, rule, { nowMs, timezone: 'Asia/Shanghai', sample: 10 })).count));
  const segment = await saveSegment(wh, WS, { name: 'bench', rule: { all: [{ attr: 'vip_level', op: 'gte', value: 1 }] } }, 'bench');
  let size = 0;
  const materialize = await seconds(
    async () =>
      (size = (await materializeAudience(wh, WS, segment, { frequency_cap: true }, { nowMs, timezone: 'Asia/Shanghai', changedBy: 'bench' })).spec.size),
  );
  printTable('Segment preview and materialize', 'contacts', [
    { label: 'count() of contacts FINAL with one attribute filter (baseline)', rows: contacts, seconds: baseline },
    { label: `preview: tag + behaviour (30 days, property) + attribute, ${count.toLocaleString('en')} match`, rows: contacts, seconds: preview },
    { label: `materialize: attribute rule + suppression + weekly cap, ${size.toLocaleString('en')} members`, rows: contacts, seconds: materialize },
  ]);

  await benchBehaviourLeaves(wh, contacts, nowMs);

  const from = nowMs - 90 * 86_400_000;
  const scan = await seconds(() => wh.query('SELECT count() FROM events FINAL WHERE workspace_id = {ws:String}', { ws: WS }));
  const funnelTime = await seconds(() =>
    runFunnel(wh, WS, {
      steps: [{ type: 'send' }, { type: 'delivery' }, { type: 'click' }, { type: 'conversion' }],
      windowMs: 72 * 3600_000,
      fromMs: from,
      toMs: nowMs,
      unit: 'user',
      filters: [],
    }),
  );
  const metricTime = await seconds(() =>
    metricSeries(wh, WS, 'click_rate', { fromMs: from, toMs: nowMs, interval: 'day', tz: 'Asia/Shanghai', breakdown: 'campaign_id', filters: [] }),
  );
  printTable(`Analytics over ${events.toLocaleString('en')} events (90 days)`, 'events', [
    { label: 'count() of events FINAL (baseline)', rows: events, seconds: scan },
    { label: 'funnel send → delivery → click → conversion by user, 72 h window', rows: events, seconds: funnelTime },
    { label: 'click_rate by day (Asia/Shanghai) and campaign', rows: events, seconds: metricTime },
  ]);

  const app = await buildApp({ config: b.config, warehouse: wh, logger: false });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const { key } = await createApiKey(wh, { workspace: WS, role: 'sender', name: 'bench', createdBy: 'bench' });
  const results = [];
  const rawSeconds = await seconds(async () => {
    for await (const _ of await wh.stream(
      "SELECT user_id, phone, name, city FROM audience_members WHERE workspace_id = {ws:String} AND audience_id = {id:String} AND version = 1 AND excluded = '' ORDER BY user_id",
      { ws: WS, id: segment.id },
      'ArrowStream',
      { settings: { output_format_arrow_compression_method: 'none' } },
    )) {
      // drain
    }
  });
  results.push({ label: 'ClickHouse ArrowStream of the same rows, in process (baseline)', rows: size, seconds: rawSeconds });
  for (const format of ['arrow', 'csv', 'ndjson'] as const) {
    let rows = 0;
    const took = await seconds(async () => {
      let cursor: string | null = '';
      while (cursor !== null) {
        const res: Response = await fetch(
          `${address}/v1/audiences/${segment.id}/export?format=${format}&fields=user_id,phone,name,city&limit=100000${cursor ? `&cursor=${cursor}` : ''}`,
          { headers: { authorization: `Bearer ${key}` } },
        );
        const buf = Buffer.from(await res.arrayBuffer());
        rows += format === 'arrow' ? 0 : buf.toString().split('\n').filter(Boolean).length - (format === 'csv' ? 1 : 0);
        cursor = res.headers.get('x-next-cursor');
      }
    });
    // A benchmark of an export that lost rows would measure nothing.
    if (format !== 'arrow' && rows !== size) throw new Error(`export ${format} returned ${rows} rows, not ${size}`);
    results.push({ label: `GET /v1/audiences/:id/export format=${format}, pages of 100,000`, rows: size, seconds: took });
  }
  printTable('Audience export (whole audience, 4 fields)', 'rows', results);
  await app.close();
  await b.close();
}

/** The rule with a condition no rollup keeps added to every behaviour leaf (always true): it reads raw events only. */
function rawEventsOnly(rule: Rule): Rule {
  if ('all' in rule) return { all: rule.all.map(rawEventsOnly) };
  if ('any' in rule) return { any: rule.any.map(rawEventsOnly) };
  if ('not' in rule) return { not: rawEventsOnly(rule.not) };
  if ('event' in rule) return { ...rule, where: [...(rule.where ?? []), { prop: 'revenue', op: 'gte', value: 0 }] } as EventLeaf;
  return rule;
}

/** Previews of rules with behaviour leaves, each read from the daily rollups and from raw events only. */
async function benchBehaviourLeaves(wh: Warehouse, contacts: number, nowMs: number): Promise<void> {
  const rules: [string, Rule][] = [
    ['conversion with category 30 d AND tag AND vip_level', ELECTRONICS_BUYERS_VIP],
    [
      'delivery 30 d >= 4 AND click 30 d <= 1',
      {
        all: [
          { event: 'delivery', within_days: 30, count: { op: 'gte', value: 4 } },
          { event: 'click', within_days: 30, count: { op: 'lte', value: 1 } },
        ],
      },
    ],
    ['any(tag, click 14 d >= 2) AND NOT conversion 60 d', RULES.tagOrClicksNotConverted as unknown as Rule],
    ['click ever >= 3 (all time: rollup before today)', { event: 'click', count: { op: 'gte', value: 3 } }],
  ];
  const baseline = await seconds(() =>
    wh.query(
      'SELECT count() FROM (SELECT user_id, count() FROM events WHERE workspace_id = {ws:String} AND ts >= now64(3) - toIntervalDay(30) GROUP BY user_id)',
      { ws: WS },
    ),
  );
  const results = [{ label: 'per-user GROUP BY over 30 days of events (baseline)', rows: contacts, seconds: baseline }];
  for (const [label, rule] of rules) {
    let rolled = 0;
    let raw = 0;
    const rollupSeconds = await seconds(async () => (rolled = (await previewRule(wh, WS, rule, { nowMs, timezone: 'Asia/Shanghai', sample: 10 })).count));
    const rawSeconds = await seconds(
      async () => (raw = (await previewRule(wh, WS, rawEventsOnly(rule), { nowMs, timezone: 'Asia/Shanghai', sample: 10 })).count),
    );
    if (rolled !== raw) throw new Error(`${label}: rollup path counts ${rolled}, raw events ${raw}`);
    results.push({ label: `preview ${label} (${rolled.toLocaleString('en')} match), rollups`, rows: contacts, seconds: rollupSeconds });
    results.push({ label: `preview ${label}, raw events only`, rows: contacts, seconds: rawSeconds });
  }
  printTable('Behaviour leaves: daily rollups vs raw events', 'contacts', results);
}
