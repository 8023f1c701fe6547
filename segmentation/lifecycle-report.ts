/**
 * The lifecycle report: stage sizes now and at the end of each of the last N calendar weeks (Monday start in the
 * workspace's zone), the flows between stages week over week, the repurchase rate (复购率), and the re-activation
 * rate of dormant and churned contacts after a campaign (沉睡会员唤醒率).
 */
import { errors } from '../common/errors.ts';
import { addZoneDays, bucketStart } from '../common/zone-time.ts';
import { Params } from '../warehouse/query-builder.ts';
import { sqlWithGenerated } from '../warehouse/sql-files.ts';
import { formatTs } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { INTERACTION_TYPES, LIFECYCLE_STAGES, lifecycleSettings, type LifecycleSettings, type LifecycleStage } from './lifecycle-settings.ts';
import { lookBackDays, stageSql, stagesAtSql } from './lifecycle-sql.ts';

export const MAX_REPORT_WEEKS = 52;
export const MAX_REACTIVATION_DAYS = 90;

export type StageSizes = Record<LifecycleStage, number>;

export interface StageFlow {
  /** null: the contact did not exist at the start (it signed up during the week). */
  from: LifecycleStage | null;
  to: LifecycleStage;
  contacts: number;
}

export interface Repurchase {
  buyers: number;
  repeat_buyers: number;
  /** repeat_buyers / buyers; null without buyers. */
  rate: number | null;
}

export interface LifecycleReport {
  timezone: string;
  settings: LifecycleSettings;
  now: { at: string; stages: StageSizes };
  weeks: { start: string; end: string; stages: StageSizes; flows: StageFlow[]; repurchase: Repurchase }[];
  /** Over the whole span of the weeks. */
  repurchase: Repurchase & { from: string; to: string };
}

const noStages = (): StageSizes => Object.fromEntries(LIFECYCLE_STAGES.map((s) => [s, 0])) as StageSizes;
const iso = (ms: number) => new Date(ms).toISOString();
const rate = (part: number, whole: number) => (whole ? part / whole : null);

/** The last `weeks` complete calendar weeks before now: their N + 1 bounds, oldest first. */
function weekBounds(nowMs: number, weeks: number, tz: string): number[] {
  const bounds = [bucketStart(nowMs, 'week', tz)];
  while (bounds.length <= weeks) bounds.unshift(addZoneDays(bounds[0]!, -7, tz));
  return bounds;
}

/** The report over the last `weeks` complete weeks; `now` sizes are as of `nowMs`. */
export async function lifecycleReport(wh: Warehouse, workspaceId: string, opts: { nowMs: number; weeks: number; timezone: string }): Promise<LifecycleReport> {
  if (!Number.isInteger(opts.weeks) || opts.weeks < 1 || opts.weeks > MAX_REPORT_WEEKS)
    throw errors.invalid('weeks', `must be a whole number 1-${MAX_REPORT_WEEKS}`);
  const { settings } = await lifecycleSettings(wh, workspaceId);
  const bounds = weekBounds(opts.nowMs, opts.weeks, opts.timezone);
  // Now is its own instant unless it is exactly the current week's start.
  const instants = opts.nowMs > bounds.at(-1)! ? [...bounds, opts.nowMs] : bounds;
  const nowIdx = instants.length;

  const params = new Params(workspaceId, { instants: instants.map(formatTs), bounds: bounds.map(formatTs), tz: opts.timezone });
  const stages = stagesAtSql(settings, params, '{tz:String}', "{instants:Array(DateTime64(3, 'UTC'))}");
  const [flowRows, buyerRows] = await Promise.all([
    wh.query<{ idx: number; from_stage: string; stage: LifecycleStage; contacts: string }>(
      sqlWithGenerated('lifecycle/stage-flows', { stages }),
      params.values,
    ),
    wh.query<{ week: number; buyers: string; repeat_buyers: string }>(sqlWithGenerated('lifecycle/repurchase', {}), params.values),
  ]);

  const sizes = instants.map(noStages);
  const flows: StageFlow[][] = instants.map(() => []);
  for (const r of flowRows) {
    const i = Number(r.idx) - 1;
    sizes[i]![r.stage] += Number(r.contacts);
    flows[i]!.push({ from: r.from_stage === '' ? null : (r.from_stage as LifecycleStage), to: r.stage, contacts: Number(r.contacts) });
  }
  const buyers = new Map(buyerRows.map((r) => [Number(r.week), { buyers: Number(r.buyers), repeat_buyers: Number(r.repeat_buyers) }]));
  const repurchase = (week: number): Repurchase => {
    const b = buyers.get(week) ?? { buyers: 0, repeat_buyers: 0 };
    return { ...b, rate: rate(b.repeat_buyers, b.buyers) };
  };
  return {
    timezone: opts.timezone,
    settings,
    now: { at: iso(opts.nowMs), stages: sizes[nowIdx - 1]! },
    weeks: bounds.slice(1).map((end, w) => ({
      start: iso(bounds[w]!),
      end: iso(end),
      stages: sizes[w + 1]!,
      flows: flows[w + 1]!,
      repurchase: repurchase(w + 1),
    })),
    repurchase: { from: iso(bounds[0]!), to: iso(bounds.at(-1)!), ...repurchase(0) },
  };
}

export interface Reactivation {
  campaign_id: string;
  within_days: number;
  /** Contacts the campaign was delivered to. */
  delivered: number;
  /** Of them, those dormant or churned just before their delivery (the re-activation target). */
  targeted: number;
  /** Of the targeted, those who interacted within `within_days` after the delivery. */
  reactivated: number;
  rate: number | null;
  by_stage: { stage: LifecycleStage; delivered: number; reactivated: number; rate: number | null }[];
}

/** Of the contacts dormant or churned when `campaignId` was delivered to them, how many interacted within N days. */
export async function reactivationRate(
  wh: Warehouse,
  workspaceId: string,
  opts: { campaignId: string; withinDays: number; timezone: string },
): Promise<Reactivation> {
  if (!Number.isInteger(opts.withinDays) || opts.withinDays < 1 || opts.withinDays > MAX_REACTIVATION_DAYS)
    throw errors.invalid('within_days', `must be a whole number 1-${MAX_REACTIVATION_DAYS}`);
  const { settings } = await lifecycleSettings(wh, workspaceId);
  const params = new Params(workspaceId, {
    campaign: opts.campaignId,
    within_days: opts.withinDays,
    window_days: settings.purchase_window_days,
    look_back_days: lookBackDays(settings),
    types: [...INTERACTION_TYPES],
    tz: opts.timezone,
  });
  const stage = stageSql(settings, params, '{tz:String}', {
    signup: 'c.signup_at',
    lastTouch: 'e.last_touch',
    conversions: 'e.conversions',
    at: 'd.delivered_at',
  });
  const rows = await wh.query<{ stage: LifecycleStage; delivered: string; reactivated: string }>(
    sqlWithGenerated('lifecycle/reactivation', { stage }),
    params.values,
  );
  const of = new Map(rows.map((r) => [r.stage, { delivered: Number(r.delivered), reactivated: Number(r.reactivated) }]));
  const by_stage = LIFECYCLE_STAGES.map((s) => {
    const c = of.get(s) ?? { delivered: 0, reactivated: 0 };
    return { stage: s, ...c, rate: rate(c.reactivated, c.delivered) };
  });
  const target = by_stage.filter((s) => s.stage === 'dormant' || s.stage === 'churned');
  const targeted = target.reduce((n, s) => n + s.delivered, 0);
  const reactivated = target.reduce((n, s) => n + s.reactivated, 0);
  return {
    campaign_id: opts.campaignId,
    within_days: opts.withinDays,
    delivered: by_stage.reduce((n, s) => n + s.delivered, 0),
    targeted,
    reactivated,
    rate: rate(reactivated, targeted),
    by_stage,
  };
}
