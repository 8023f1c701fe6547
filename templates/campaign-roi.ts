/**
 * Campaign costs and ROI: messages, billed parts and their cost (prices.ts), and the conversions and revenue
 * credited to each group by last-touch attribution across campaigns, in one warehouse query
 * (sql/queries/roi/campaign-roi.sql says exactly what is counted).
 */
import { workspaceSettings } from '../access/workspaces.ts';
import { errors } from '../common/errors.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sqlWithGenerated } from '../warehouse/sql-files.ts';
import { formatTs } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { priceVersions, toMicros, type PriceVersion } from './prices.ts';
import { listTemplates } from './templates.ts';

export const ROI_GROUPS = ['campaign', 'template', 'channel', 'segment'] as const;
export type RoiGroup = (typeof ROI_GROUPS)[number];

/** Each grouping's column in sends and in deliveries; only segments need the join from a delivery to its send. */
const GROUP_SQL: Record<RoiGroup, { send_group: string; delivery_group: string; delivery_segments: string }> = {
  campaign: { send_group: 'campaign_id', delivery_group: 'd.campaign_id', delivery_segments: '' },
  template: { send_group: 'template_id', delivery_group: 'd.template_id', delivery_segments: '' },
  channel: { send_group: 'toString(channel)', delivery_group: 'toString(d.channel)', delivery_segments: '' },
  segment: {
    send_group: "properties['segment_id']",
    delivery_group: "if(d.properties['segment_id'] != '', d.properties['segment_id'], s.segment)",
    delivery_segments: 'LEFT JOIN send_segments AS s ON s.message_id = d.message_id',
  },
};

export const DEFAULT_ATTRIBUTION_DAYS = 7;
export const MAX_ATTRIBUTION_DAYS = 90;
const MAX_RANGE_DAYS = 400;
const DAY_MS = 86_400_000;
/** A segment's send may precede its delivery by this much (the delivery takes the send's segment_id). */
const SEND_TO_DELIVERY_MS = DAY_MS;

export interface RoiRequest {
  fromMs: number;
  toMs: number;
  groupBy?: string;
  attributionDays?: number;
}

export interface RoiFigures {
  messages: number;
  parts: number;
  cost: number;
  /** Messages sent before the first price version took effect (their cost counts as 0). */
  unpriced_messages: number;
  conversions: number;
  revenue: number;
  /** (revenue − cost) / cost; null when the cost is 0. */
  roi: number | null;
  cost_per_conversion: number | null;
}

export interface CampaignRoi {
  from: string;
  to: string;
  group_by: RoiGroup;
  attribution_days: number;
  currency: string;
  groups: (RoiFigures & { key: string })[];
  totals: RoiFigures;
  /** Conversions in [from, to) without a delivery to the same contact in their attribution window. */
  unattributed: { conversions: number; revenue: number };
}

interface RoiRow {
  unattributed: number | string;
  group_key: string;
  messages: number | string;
  parts: number | string;
  cost_micros: number | string;
  unpriced_messages: number | string;
  conversions: number | string;
  revenue: string;
}

/** The request's checks, with paths relative to it. */
function validRequest(r: RoiRequest): { groupBy: RoiGroup; days: number } {
  if (!(r.toMs > r.fromMs)) throw errors.invalid('to', 'must be after from');
  if (r.toMs - r.fromMs > MAX_RANGE_DAYS * DAY_MS) throw errors.invalid('to', `at most ${MAX_RANGE_DAYS} days per query`);
  const groupBy = ROI_GROUPS.find((g) => g === (r.groupBy ?? 'campaign'));
  if (!groupBy) throw errors.invalid('group_by', `must be one of ${ROI_GROUPS.join(', ')}`);
  const days = r.attributionDays ?? DEFAULT_ATTRIBUTION_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_ATTRIBUTION_DAYS) throw errors.invalid('attribution_days', `must be 1-${MAX_ATTRIBUTION_DAYS}`);
  return { groupBy, days };
}

/** The price versions as the query's parallel arrays (version numbers 1-based, in effect order). */
function priceParams(versions: readonly PriceVersion[]) {
  const rules = versions.flatMap((v, i) => v.rules.map((r) => ({ version: i + 1, ...r })));
  return {
    price_from: versions.map((v) => formatTs(Date.parse(v.effective_from))),
    default_micros: versions.map((v) => toMicros(v.default_per_part, 'default_per_part')),
    rule_version: rules.map((r) => r.version),
    rule_channel: rules.map((r) => r.channel),
    rule_carrier: rules.map((r) => r.carrier ?? ''),
    rule_micros: rules.map((r) => toMicros(r.per_part, 'per_part')),
  };
}

/** Part counts of the registry's templates (the message as sent, variables unfilled). */
async function templateParts(wh: Warehouse, workspaceId: string): Promise<{ tpl_ids: string[]; tpl_parts: number[] }> {
  const ids: string[] = [];
  const parts: number[] = [];
  const PAGE = 1000;
  for (let after = ''; ;) {
    const page = await listTemplates(wh, workspaceId, PAGE, after);
    for (const t of page) {
      ids.push(t.id);
      parts.push(Math.max(1, t.check.parts.parts));
    }
    if (page.length < PAGE) break;
    after = page[PAGE - 1]!.id;
  }
  return { tpl_ids: ids, tpl_parts: parts };
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

function figures(f: Omit<RoiFigures, 'roi' | 'cost_per_conversion'>): RoiFigures {
  return { ...f, roi: ratio(f.revenue - f.cost, f.cost), cost_per_conversion: ratio(f.cost, f.conversions) };
}

const COUNTS = ['messages', 'parts', 'unpriced_messages', 'conversions'] as const;

/** Costs, attributed conversions and ROI per group of the sends in [from, to). */
export async function campaignRoi(wh: Warehouse, workspaceId: string, request: RoiRequest): Promise<CampaignRoi> {
  const { groupBy, days } = validRequest(request);
  const windowMs = days * DAY_MS;
  const [{ currency }, versions, templates] = await Promise.all([
    workspaceSettings(wh, workspaceId),
    priceVersions(wh, workspaceId),
    templateParts(wh, workspaceId),
  ]);
  const rows = await wh.query<RoiRow>(
    sqlWithGenerated('roi/campaign-roi', GROUP_SQL[groupBy]),
    workspaceParams(workspaceId, {
      from: formatTs(request.fromMs),
      to: formatTs(request.toMs),
      deliveries_from: formatTs(request.fromMs - windowMs),
      sends_from: formatTs(request.fromMs - windowMs - SEND_TO_DELIVERY_MS),
      until: formatTs(request.toMs + windowMs),
      window_ms: windowMs,
      ...priceParams(versions),
      ...templates,
    }),
  );
  const groups: CampaignRoi['groups'] = [];
  const sums = { messages: 0, parts: 0, unpriced_messages: 0, conversions: 0, costMicros: 0, revenue: 0 };
  let unattributed = { conversions: 0, revenue: 0 };
  for (const row of rows) {
    const counts = Object.fromEntries(COUNTS.map((k) => [k, Number(row[k])])) as Record<(typeof COUNTS)[number], number>;
    const revenue = Number(row.revenue);
    if (Number(row.unattributed)) {
      unattributed = { conversions: counts.conversions, revenue };
      continue;
    }
    const costMicros = Number(row.cost_micros);
    groups.push({ key: row.group_key, ...figures({ ...counts, cost: costMicros / 1e6, revenue }) });
    for (const k of COUNTS) sums[k] += counts[k];
    sums.costMicros += costMicros;
    sums.revenue += revenue;
  }
  groups.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const { costMicros, ...totals } = sums;
  return {
    from: new Date(request.fromMs).toISOString(),
    to: new Date(request.toMs).toISOString(),
    group_by: groupBy,
    attribution_days: days,
    currency,
    groups,
    totals: figures({ ...totals, cost: costMicros / 1e6, revenue: Math.round(totals.revenue * 1e4) / 1e4 }),
    unattributed,
  };
}
