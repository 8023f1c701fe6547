/**
 * The SQL of a funnel: step conditions and the slots of sql/queries/funnels/*.sql. Every value is a bound
 * parameter; the slots hold only SQL generated here from validated steps, filters and a catalogue breakdown.
 */
import { formatTs } from '../warehouse/time.ts';
import { sqlWithGenerated } from '../warehouse/sql-files.ts';
import { Params, allOf, anyOf } from '../warehouse/query-builder.ts';
import type { WhereClause } from '../warehouse/event-filter-sql.ts';
import { groupSql, whereSql, type Breakdown } from './event-filters.ts';

/** One funnel step: an event type, optionally filtered. */
export interface FunnelStep {
  type: string;
  where?: WhereClause[];
}

/** A validated funnel request (see funnels.ts for what it counts). */
export interface FunnelRequest {
  steps: FunnelStep[];
  windowHours: number;
  fromMs: number;
  toMs: number;
  unit: 'user' | 'message';
  breakdown?: Breakdown;
  filters: WhereClause[];
}

/** Units are sampled for medians by cityHash64(unit) % this; a cut of this value keeps every unit. */
export const SAMPLE_MODULUS = 1 << 20;

const STEP_STATUS: Record<string, string> = { delivery: "status = 'delivered'", send: "status = 'accepted'" };

function stepCondition(step: FunnelStep, params: Params): string {
  const parts = [`type = ${params.add(step.type, 'String')}`];
  if (STEP_STATUS[step.type]) parts.push(STEP_STATUS[step.type]!);
  if (step.where?.length) parts.push(whereSql(step.where, params));
  return allOf(parts);
}

interface FunnelBase {
  params: Params;
  conditions: string[];
  slots: Record<string, string>;
}

/** What both statements share: the read window, the unit, the group and the step conditions. */
function funnelBase(workspaceId: string, req: FunnelRequest): FunnelBase {
  const windowMs = req.windowHours * 3600_000;
  // Events are read from `from` to `to` + the window: a chain that starts before `to` may end after it.
  const params = new Params(workspaceId, { from: formatTs(req.fromMs), to: formatTs(req.toMs), until: formatTs(req.toMs + windowMs), window_ms: windowMs });
  const conditions = req.steps.map((s) => stepCondition(s, params));
  // The first step must start inside the range; later steps may run past its end by the window.
  conditions[0] = `${conditions[0]} AND ts < {to:DateTime64(3, 'UTC')}`;
  const slots = {
    unit: req.unit === 'user' ? "if(user_id != '', user_id, phone)" : 'message_id',
    group: groupSql(req.breakdown),
    // With a breakdown one scan feeds two grouping sets: per unit (the overall row) and per unit and group.
    overall: req.breakdown ? 'grouping(grp)' : '1',
    grouping: req.breakdown ? 'GROUPING SETS ((unit), (unit, grp))' : 'unit',
    conditions: conditions.join(', '),
    filters: whereSql(req.filters, params),
    any_step: anyOf(conditions),
  };
  return { params, conditions, slots };
}

/** Units reaching each step, overall (`overall` = 1) and per group, in one pass over events. */
export function funnelCountsStatement(workspaceId: string, req: FunnelRequest): { statement: string; params: Record<string, unknown> } {
  const { params, conditions, slots } = funnelBase(workspaceId, req);
  const counts = conditions.map((_, i) => `countIf(level >= ${i + 1})`).join(', ');
  return { statement: sqlWithGenerated('funnels/funnel-counts', { ...slots, counts }), params: params.values };
}

/** Per-set sample cuts (out of SAMPLE_MODULUS): the overall set's, and each group's. */
export interface SampleCuts {
  overall: number;
  groups: Map<string, number>;
}

/** Median step times over the units of each set whose hash falls under that set's cut. */
export function funnelMediansStatement(workspaceId: string, req: FunnelRequest, cuts: SampleCuts): { statement: string; params: Record<string, unknown> } {
  const { params, conditions, slots } = funnelBase(workspaceId, req);
  params.values.sample_modulus = SAMPLE_MODULUS;
  const overallCut = params.add(cuts.overall, 'UInt64');
  let rowCut = overallCut;
  let unitCut = overallCut;
  if (req.breakdown) {
    const groupCut = `transform(grp, ${params.add([...cuts.groups.keys()], 'Array(String)')}, ${params.add([...cuts.groups.values()], 'Array(UInt64)')}, toUInt64(0))`;
    // A row is read when its unit is sampled for the overall row or for the row's group; each set then
    // keeps only its own sample, whose units have all their rows (the hash is the unit's).
    rowCut = `greatest(${overallCut}, ${groupCut})`;
    unitCut = `if(overall = 1, ${overallCut}, ${groupCut})`;
  }
  // s(i): the unit's step-i times, sorted; t1 = the first step-1 time; t(i) = the first step-i time at or after t(i-1).
  const stepArrays = conditions.map((c, i) => `arraySort(groupArrayIf(ts, ${c})) AS s${i + 1}`).join(',\n            ');
  const chain = conditions.map((_, i) => (i === 0 ? 's1[1] AS t1' : `arrayFirst(x -> x >= t${i}, s${i + 1}) AS t${i + 1}`)).join(', ');
  const medians = conditions
    .map((_, i) => (i === 0 ? 'CAST(NULL AS Nullable(Float64))' : `quantileExactIf(0.5)(dateDiff('millisecond', t${i}, t${i + 1}) / 1000, level >= ${i + 1})`))
    .join(', ');
  const statement = sqlWithGenerated('funnels/funnel-medians', { ...slots, row_cut: rowCut, unit_cut: unitCut, step_arrays: stepArrays, chain, medians });
  return { statement, params: params.values };
}
