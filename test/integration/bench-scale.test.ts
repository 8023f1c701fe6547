/**
 * The issue-12 benchmark: its generated data has the shapes the issue asks for (checked row by row in
 * TypeScript, not by the generator's SQL), replays leave the count exact, and
 * `npm run bench -- --only scale` runs end to end at a small size.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CAMPAIGNS, CITIES, DAYS, REGIONS, generateScaleData, replayStoredEvents, storedToInput } from '../../bench/scale-data.ts';
import { validateEvent } from '../../ingest/event-validation.ts';
import { parseTs } from '../../warehouse/time.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, openTestWarehouse } from '../helpers/warehouse.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const WS = 'scale';
const CONTACTS = 3000;
const EVENTS = 40_000;

interface Row {
  event_id: string;
  type: string;
  ts: string;
  user_id: string;
  message_id: string;
  campaign_id: string;
  region: string;
  status: string;
  revenue: string;
  properties: Record<string, string>;
}

describe('scale benchmark data', () => {
  let wh: Warehouse;
  let rows: Row[];
  const nowMs = Date.parse(`${FIXTURE_YEAR}-11-20T04:00:00Z`);
  let dataset: Awaited<ReturnType<typeof generateScaleData>>;

  before(async () => {
    wh = await openTestWarehouse('bench_scale');
    dataset = await generateScaleData(wh, WS, { contacts: CONTACTS, events: EVENTS, nowMs });
    rows = await wh.query<Row>(
      'SELECT event_id, type, ts, user_id, message_id, campaign_id, region, status, revenue, properties FROM events WHERE workspace_id = {ws:String}',
      { ws: WS },
    );
  });
  after(() => dropTestDatabase(wh));

  it('stores exactly the events asked for, with unique ids, over the last 90 days', () => {
    assert.equal(dataset.events, EVENTS);
    assert.equal(rows.length, EVENTS);
    assert.equal(new Set(rows.map((r) => r.event_id)).size, EVENTS);
    const times = rows.map((r) => parseTs(r.ts));
    assert.ok(Math.max(...times) <= nowMs);
    assert.ok(Math.min(...times) >= nowMs - DAYS * 86_400_000);
    // Spread over the whole range, not bunched at one end.
    assert.ok(times.filter((t) => t > nowMs - 30 * 86_400_000).length > EVENTS * 0.15);
  });

  it('has every type, in a realistic mix, and sends precede the rest of their message', () => {
    const byType = new Map<string, number>();
    for (const r of rows) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    for (const type of ['send', 'delivery', 'click', 'conversion', 'unsubscribe', 'reply', 'complaint']) assert.ok(byType.get(type)! > 0, type);
    const sends = byType.get('send')!;
    assert.ok(byType.get('delivery')! > sends * 0.95 && byType.get('delivery')! <= sends);
    const delivered = rows.filter((r) => r.type === 'delivery' && r.status === 'delivered').length;
    assert.ok(delivered > byType.get('delivery')! * 0.9 && delivered < byType.get('delivery')!, 'some deliveries fail');
    const clickRate = byType.get('click')! / delivered;
    assert.ok(clickRate > 0.08 && clickRate < 0.16, `click rate ${clickRate}`);
    assert.ok(byType.get('conversion')! < byType.get('click')! * 0.35 && byType.get('conversion')! > byType.get('click')! * 0.15);

    const sendOf = new Map<string, Row>();
    for (const r of rows) if (r.type === 'send') sendOf.set(r.message_id, r);
    let checked = 0;
    for (const r of rows) {
      if (r.type === 'send') continue;
      const send = sendOf.get(r.message_id);
      // The last message of a chunk may be cut after its send, never before it.
      assert.ok(send, `no send for ${r.type} of ${r.message_id}`);
      assert.ok(parseTs(send.ts) <= parseTs(r.ts), `${r.type} before its send`);
      assert.equal(send.status, 'accepted', `${r.type} of a rejected send`);
      assert.equal(send.user_id, r.user_id);
      checked++;
    }
    assert.ok(checked > EVENTS * 0.5);
  });

  it('carries what the rules and funnels ask about: status, revenue, category, 50 campaigns, the recipient region', async () => {
    for (const r of rows) {
      if (r.type === 'send') assert.ok(['accepted', 'rejected'].includes(r.status));
      else if (r.type === 'delivery') assert.ok(['delivered', 'failed'].includes(r.status));
      else assert.equal(r.status, '');
      assert.equal(Number(r.revenue) > 0, r.type === 'conversion', `revenue of a ${r.type}`);
      if (r.type === 'click' || r.type === 'conversion') assert.ok(r.properties.category, 'category');
    }
    assert.equal(new Set(rows.map((r) => r.campaign_id)).size, CAMPAIGNS);
    const contacts = await wh.query<{ user_id: string; city: string; region: string }>(
      'SELECT user_id, city, region FROM contacts FINAL WHERE workspace_id = {ws:String}',
      { ws: WS },
    );
    assert.equal(contacts.length, CONTACTS);
    const regionOf = new Map(contacts.map((c) => [c.user_id, c.region]));
    for (const c of contacts) assert.equal(REGIONS[CITIES.indexOf(c.city)], c.region);
    for (const r of rows) assert.equal(r.region, regionOf.get(r.user_id), `region of ${r.user_id}`);
    const tags = await wh.query<{ tag: string; values: string }>(
      'SELECT tag, uniqExact(value) AS values FROM tags FINAL WHERE workspace_id = {ws:String} GROUP BY tag',
      { ws: WS },
    );
    assert.deepEqual(tags.map((t) => t.tag).sort(), ['interest', 'lifecycle', 'member']);
    assert.ok(tags.every((t) => Number(t.values) >= 2));
  });

  it('skews users (a few heavy, a long tail) and does not order event ids by time', () => {
    const perUser = new Map<string, number>();
    for (const r of rows) perUser.set(r.user_id, (perUser.get(r.user_id) ?? 0) + 1);
    const counts = [...perUser.values()].sort((a, b) => b - a);
    const top = counts.slice(0, Math.ceil(CONTACTS / 100)).reduce((a, b) => a + b, 0);
    assert.ok(top > EVENTS * 0.1, `top 1 % of users hold ${top} events`);
    const median = counts[Math.floor(counts.length / 2)]!;
    assert.ok(counts[0]! > median * 20, `heaviest ${counts[0]}, median ${median}`);
    // Adjacent ids (in the table's key order) are in time order about half the time, as for random ids.
    const byId = [...rows].sort((a, b) => (a.event_id < b.event_id ? -1 : 1));
    let ordered = 0;
    for (let i = 1; i < byId.length; i++) if (byId[i - 1]!.ts <= byId[i]!.ts) ordered++;
    assert.ok(Math.abs(ordered / byId.length - 0.5) < 0.05, `${ordered} of ${byId.length} in order`);
  });

  it('turns stored rows into events the ingest path accepts unchanged', () => {
    for (const r of rows.slice(0, 2000)) {
      const v = validateEvent(WS, storedToInput({ ...r }));
      assert.ok(v.ok, JSON.stringify(v));
      assert.equal(v.row.event_id, r.event_id);
      assert.equal(v.row.ts, r.ts);
      assert.equal(v.row.status, r.status);
      assert.equal(v.row.revenue, Number(r.revenue));
      assert.deepEqual({ ...v.row.properties }, r.properties);
    }
  });

  it('replays: copies of stored events leave the count exact, the same with new ids add to it', async () => {
    const result = await replayStoredEvents(wh, WS, { n: 300, batch: 100, stored: EVENTS });
    assert.equal(result.before, EVENTS);
    assert.ok(result.replayed > 200 && result.replayed <= 300, `${result.replayed} replayed`);
    assert.equal(result.fresh, result.replayed);
    assert.equal(result.after, EVENTS + result.fresh);
    const [stored] = await wh.query<{ n: string; ids: string }>(
      'SELECT count() AS n, uniqExact(event_id) AS ids FROM events WHERE workspace_id = {ws:String}',
      { ws: WS },
    );
    assert.deepEqual([Number(stored!.n), Number(stored!.ids)], [EVENTS + result.fresh, EVENTS + result.fresh]);
  });
});

describe('npm run bench -- --only scale', () => {
  it('generates, replays and prints every operation with an answer and a time', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/run.ts',
        '--only',
        'scale',
        '--events',
        '1000',
        '--scale-contacts',
        '2000',
        '--scale-events',
        '20000',
        '--scale-replays',
        '100',
      ],
      { encoding: 'utf8', timeout: 300_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Generated 2,000 contacts, [\d,]+ tags, 20,000 events/);
    const added = Number(/Events stored: 20,000 before, 20,(\d{3}) after\./.exec(run.stdout)?.[1]);
    assert.ok(added >= 50 && added <= 100, `${added} events added by 100 replays and as many new ids`);
    const table = run.stdout.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| operation') && !l.startsWith('| ---'));
    assert.equal(table.length, 15);
    for (const line of table) {
      const [, label, answer, secs] = line.split('|').map((c) => c.trim());
      assert.ok(answer, `no answer for ${label}`);
      assert.match(secs!, /^\d+\.\d\d$/, `time of ${label}`);
    }
    assert.match(run.stdout, /\| funnel send → delivery → click → conversion, 72 h, by user, 90 days \| [\d,]+ → [\d,]+ → [\d,]+ → [\d,]+ \|/);
    assert.match(run.stdout, /\| the same funnel with a breakdown by campaign \| .*\(50 groups\)/);
  });
});
