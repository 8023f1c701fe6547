/**
 * The issue-12 dataset, generated inside ClickHouse (INSERT ... SELECT from numbers(): this measures
 * queries, not loading): contacts with cities, VIP levels and attributes, several tags, and events per
 * message (send → delivery → click → conversion sharing a message_id, skewed users, hashed event ids,
 * 50 campaigns over 90 days). Then copies of stored events are sent again through the real ingest path,
 * so the writer's deduplication (its cost, and that the count stays exact) is part of the run. The shapes are documented in sql/queries/bench/.
 */
import { formatTs } from '../warehouse/time.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { ingestEvents } from '../ingest/event-writer.ts';
import type { EventInput } from '../ingest/event-schema.ts';
import { seconds } from './harness.ts';

/** Cities, largest first, and the region (province) of each. */
export const CITIES = [
  '上海',
  '北京',
  '广州',
  '深圳',
  '杭州',
  '成都',
  '武汉',
  '南京',
  '西安',
  '重庆',
  '苏州',
  '天津',
  '长沙',
  '郑州',
  '青岛',
  '宁波',
  '厦门',
  '合肥',
  '昆明',
  '大连',
];
export const REGIONS = [
  '上海',
  '北京',
  '广东',
  '广东',
  '浙江',
  '四川',
  '湖北',
  '江苏',
  '陕西',
  '重庆',
  '江苏',
  '天津',
  '湖南',
  '河南',
  '山东',
  '浙江',
  '福建',
  '安徽',
  '云南',
  '辽宁',
];
export const CATEGORIES = ['electronics', 'beauty', 'books', 'sports', 'food', 'travel'];
export const CARRIERS = ['China Mobile', 'China Unicom', 'China Telecom'];
export const CAMPAIGNS = 50;
export const DAYS = 90;

/** Events per message on average (send 1, delivery 0.98, click ≈ 0.113, conversion ≈ 0.028, others ≈ 0.005). */
const EVENTS_PER_MESSAGE = 2.126;
/** Inserts of at most this many events, to bound the engine's memory. */
const CHUNK_EVENTS = 5_000_000;
// ClickHouse may take minutes for a 5M-row INSERT ... SELECT on two cores: loading has its own limit.
const LOAD_TIMEOUT_SECONDS = 3600;

export interface ScaleDataset {
  contacts: number;
  events: number;
  tags: number;
  seconds: number;
}

const count = async (wh: Warehouse, name: string, params: Record<string, unknown>) =>
  Number((await wh.query<{ n: string }>(sql(name), params, { timeoutSeconds: LOAD_TIMEOUT_SECONDS }))[0]!.n);

/**
 * Loads `contacts` contacts (u0 ...), their tags and exactly `events` events (given messages enough)
 * ending at `nowMs`, in chunks; `onChunk` hears progress.
 */
export async function generateScaleData(
  wh: Warehouse,
  workspace: string,
  opts: { contacts: number; events: number; nowMs: number; onChunk?: (stored: number) => void },
): Promise<ScaleDataset> {
  const common = { workspace, now: formatTs(opts.nowMs), contacts: opts.contacts, cities: CITIES, regions: REGIONS, categories: CATEGORIES };
  const load = { timeoutSeconds: LOAD_TIMEOUT_SECONDS };
  let stored = 0;
  const took = await seconds(async () => {
    await wh.command(sql('bench/scale-contacts'), common, load);
    await wh.command(sql('bench/scale-tags'), common, load);
    let first = 0;
    while (stored < opts.events) {
      const limit = Math.min(CHUNK_EVENTS, opts.events - stored);
      // 2 % more messages than the average needs, so the chunk fills; the extra ones are cut by LIMIT.
      const messages = Math.ceil((limit / EVENTS_PER_MESSAGE) * 1.02) + 100;
      await wh.command(sql('bench/scale-events'), { ...common, carriers: CARRIERS, campaigns: CAMPAIGNS, days: DAYS, first, messages, limit }, load);
      first += messages;
      const now = await count(wh, 'bench/events-count', { workspace });
      if (now === stored) throw new Error('an events chunk stored nothing');
      stored = now;
      opts.onChunk?.(stored);
    }
  });
  const tags = await count(wh, 'bench/tags-count', { workspace });
  return { contacts: opts.contacts, events: stored, tags, seconds: took };
}

/** A stored row as a sender would post it again (empty fields left out, as a sender leaves them). */
export function storedToInput(row: Record<string, unknown>): EventInput {
  const input: Record<string, unknown> = { ts: `${String(row.ts).replace(' ', 'T')}Z` };
  for (const [k, v] of Object.entries(row)) {
    if (k === 'ts' || v === '' || v === null) continue;
    if (k === 'revenue') {
      if (Number(v) !== 0) input.revenue = Number(v);
    } else if (k === 'properties') {
      if (Object.keys(v as object).length) input.properties = v;
    } else input[k] = v;
  }
  return input as EventInput;
}

export interface ReplayResult {
  replayed: number;
  replaySeconds: number;
  fresh: number;
  freshSeconds: number;
  /** Events stored before and after (must differ by exactly `fresh`: copies are dropped on write). */
  before: number;
  after: number;
}

/**
 * Sends about `n` stored events again through ingestEvents (the HTTP and import path), in batches of
 * `batch`, then the same events with new ids: the difference in time is what deduplication costs, and
 * the count must grow by the new ones only.
 */
export async function replayStoredEvents(wh: Warehouse, workspace: string, opts: { n: number; batch: number; stored: number }): Promise<ReplayResult> {
  const before = await count(wh, 'bench/events-count', { workspace });
  const oneIn = Math.max(1, Math.floor(opts.stored / (opts.n * 1.2)));
  const rows = await wh.query<Record<string, unknown>>(
    sql('bench/replay-sample'),
    { workspace, one_in: oneIn, limit: opts.n },
    { timeoutSeconds: LOAD_TIMEOUT_SECONDS },
  );
  const copies = rows.map(storedToInput);
  const fresh = copies.map((e) => ({ ...e, event_id: `${e.event_id}-again` }));
  const push = async (events: EventInput[]) => {
    for (let i = 0; i < events.length; i += opts.batch) {
      const result = await ingestEvents(wh, workspace, events.slice(i, i + opts.batch));
      if (result.rejected.length) throw new Error(`replay rejected: ${JSON.stringify(result.rejected[0])}`);
    }
  };
  const replaySeconds = await seconds(() => push(copies));
  const freshSeconds = await seconds(() => push(fresh));
  const after = await count(wh, 'bench/events-count', { workspace });
  return { replayed: copies.length, replaySeconds, fresh: fresh.length, freshSeconds, before, after };
}
