/**
 * Funnels. Unit "user" (a user_id, else a phone) counts units that did step 1 in [from, to), then each
 * next step at or after the previous one, all within window_hours of step 1 (ClickHouse windowFunnel,
 * which takes the longest chain over every step-1 event). Unit "message" follows one message_id.
 * A delivery step counts only successful receipts; a send step only accepted sends. Steps may carry
 * `where` filters; `filters` apply to every step; a breakdown computes the funnel within each value
 * of an event column. median_seconds_from_previous: over units that reached the step, the time from
 * their first previous-step event to their first step event at or after it.
 */
import { formatTs } from '../warehouse/time.ts';
import { sqlWithGenerated } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { Params } from '../segmentation/rule-sql.ts';
import type { WhereClause } from '../segmentation/rule-types.ts';
import { groupSql, whereSql, type Breakdown } from './event-filters.ts';

export interface FunnelStep {
  type: string;
  where?: WhereClause[];
}

export interface FunnelRequest {
  steps: FunnelStep[];
  windowHours: number;
  fromMs: number;
  toMs: number;
  unit: 'user' | 'message';
  breakdown?: Breakdown;
  filters: WhereClause[];
}

export interface FunnelStepResult {
  type: string;
  count: number;
  conversion_from_previous: number | null;
  conversion_from_first: number | null;
  median_seconds_from_previous: number | null;
}

const STEP_STATUS: Record<string, string> = { delivery: "status = 'delivered'", send: "status = 'accepted'" };

function stepCondition(step: FunnelStep, params: Params): string {
  const parts = [`type = ${params.add(step.type, 'String')}`];
  if (STEP_STATUS[step.type]) parts.push(STEP_STATUS[step.type]!);
  if (step.where?.length) parts.push(whereSql(step.where, params));
  return parts.map((p) => `(${p})`).join(' AND ');
}

function toSteps(steps: FunnelStep[], counts: number[], medians: (number | null)[]): FunnelStepResult[] {
  return steps.map((s, i) => ({
    type: s.type,
    count: counts[i]!,
    conversion_from_previous: i === 0 ? null : counts[i - 1] ? counts[i]! / counts[i - 1]! : 0,
    conversion_from_first: i === 0 ? null : counts[0] ? counts[i]! / counts[0]! : 0,
    median_seconds_from_previous: i === 0 ? null : medians[i]!,
  }));
}

export async function runFunnel(wh: Warehouse, workspaceId: string, req: FunnelRequest): Promise<{ steps: FunnelStepResult[]; breakdowns?: { value: string; steps: FunnelStepResult[] }[] }> {
  const windowMs = req.windowHours * 3600_000;
  const params = new Params({ workspace: workspaceId, from: formatTs(req.fromMs), to: formatTs(req.toMs), until: formatTs(req.toMs + windowMs), window_ms: windowMs });
  const conditions = req.steps.map((s) => stepCondition(s, params));
  // The first step must start inside the range; later steps may run past its end by the window.
  conditions[0] = `${conditions[0]} AND ts < {to:DateTime64(3, 'UTC')}`;
  const n = conditions.length;
  const stepArrays = conditions.map((c, i) => `arraySort(groupArrayIf(ts, ${c})) AS s${i + 1}`).join(',\n        ');
  // t1 = first step-1 time; t(i) = the first step-i time at or after t(i-1).
  const chain = conditions.map((_, i) => (i === 0 ? 's1[1] AS t1' : `arrayFirst(x -> x >= t${i}, s${i + 1}) AS t${i + 1}`)).join(', ');
  const counts = conditions.map((_, i) => `countIf(level >= ${i + 1})`).join(', ');
  const medians = conditions.map((_, i) => (i === 0 ? 'CAST(NULL AS Nullable(Float64))' : `quantileExactIf(0.5)(dateDiff('millisecond', t${i}, t${i + 1}) / 1000, level >= ${i + 1})`)).join(', ');
  const statement = sqlWithGenerated('funnels/funnel', {
    unit: req.unit === 'user' ? "if(user_id != '', user_id, phone)" : 'message_id',
    group: groupSql(req.breakdown),
    conditions: conditions.join(', '),
    step_arrays: stepArrays,
    chain,
    counts,
    medians,
    filters: whereSql(req.filters, params),
    any_step: conditions.map((c) => `(${c})`).join(' OR '),
  });
  const rows = await wh.query<{ grp: string; counts: string[]; medians: (number | null)[] }>(statement, params.values);
  const byGroup = rows.map((r) => ({ value: r.grp, counts: r.counts.map(Number), medians: r.medians }));
  const total = new Array<number>(n).fill(0);
  for (const g of byGroup) g.counts.forEach((c, i) => (total[i]! += c));
  if (!req.breakdown) {
    const only = byGroup[0];
    return { steps: toSteps(req.steps, only?.counts ?? total, only?.medians ?? new Array(n).fill(null)) };
  }
  // Medians do not add up across groups; the overall funnel is run again without the breakdown.
  const overall = await runFunnel(wh, workspaceId, { ...req, breakdown: undefined });
  return { steps: overall.steps, breakdowns: byGroup.map((g) => ({ value: g.value, steps: toSteps(req.steps, g.counts, g.medians) })) };
}
