/**
 * The SQL of a funnel: step and exclusion conditions and the slots of sql/queries/funnels/*.sql. Every value is
 * a bound parameter; the slots hold only SQL generated here from validated steps, filters and a catalogue
 * breakdown. The common case (plain order, no exclusions, steps of distinct event types, so no event can be two
 * steps) keeps ClickHouse's windowFunnel; every other funnel folds each unit's sorted events (funnel-fold.ts).
 */
import { formatTs } from '../warehouse/time.ts';
import { sqlWithGenerated } from '../warehouse/sql-files.ts';
import { Params, allOf, anyOf } from '../warehouse/query-builder.ts';
import type { WhereClause } from '../warehouse/event-filter-sql.ts';
import { groupSql, whereSql, type Breakdown } from './event-filters.ts';
import { eventArraySql, exclusionBits, orderedFoldSql, unorderedLevelSql, type StepGroup } from './funnel-fold.ts';

/** One funnel step: an event type, optionally filtered. */
export interface FunnelStep {
  type: string;
  where?: WhereClause[];
}

/** An excluded event: a unit that does it after its step `fromStep` and before its step `toStep` (1-based) drops out. */
export interface FunnelExclusion extends FunnelStep {
  fromStep: number;
  toStep: number;
}

export type FunnelOrder = 'ordered' | 'strict' | 'unordered';
/** first_touch: a unit counts under the value of its first step-1 event; step: each group is its own funnel. */
export type BreakdownAttribution = 'first_touch' | 'step';

/** A validated funnel request (see funnels.ts for what it counts). */
export interface FunnelRequest {
  steps: FunnelStep[];
  windowMs: number;
  fromMs: number;
  toMs: number;
  unit: 'user' | 'message';
  breakdown?: Breakdown;
  attribution?: BreakdownAttribution;
  filters: WhereClause[];
  order?: FunnelOrder;
  exclusions?: FunnelExclusion[];
}

/** Units are sampled for times by cityHash64(unit) % this; a cut of this value keeps every unit. */
export const SAMPLE_MODULUS = 1 << 20;

const STEP_STATUS: Record<string, string> = { delivery: "status = 'delivered'", send: "status = 'accepted'" };

function stepCondition(step: FunnelStep, params: Params): string {
  const parts = [`type = ${params.add(step.type, 'String')}`];
  if (STEP_STATUS[step.type]) parts.push(STEP_STATUS[step.type]!);
  if (step.where?.length) parts.push(whereSql(step.where, params));
  return allOf(parts);
}

/** windowFunnel is exact when no event can be two steps, nothing is excluded and the order is plain. */
export function usesWindowFunnel(req: FunnelRequest): boolean {
  return (req.order ?? 'ordered') === 'ordered' && !req.exclusions?.length && new Set(req.steps.map((s) => s.type)).size === req.steps.length;
}

/** Steps with the same definition, as bit masks with their sizes (unordered counts a group's events up to its size). */
function stepGroups(steps: FunnelStep[]): StepGroup[] {
  const groups = new Map<string, StepGroup>();
  steps.forEach((s, i) => {
    const key = JSON.stringify([s.type, s.where ?? []]);
    const g = groups.get(key) ?? { bits: 0, size: 0 };
    groups.set(key, { bits: g.bits | (1 << i), size: g.size + 1 });
  });
  return [...groups.values()];
}

interface FunnelBase {
  params: Params;
  slots: Record<string, string>;
}

/** What both statements share: the read window, the unit, the sets a unit counts in, and the per-unit level. */
function funnelBase(workspaceId: string, req: FunnelRequest, withTimes: boolean): FunnelBase {
  const order = req.order ?? 'ordered';
  // Events are read from `from` to `to` + the window: a chain that starts before `to` may end after it.
  const params = new Params(workspaceId, {
    from: formatTs(req.fromMs),
    to: formatTs(req.toMs),
    until: formatTs(req.toMs + req.windowMs),
    window_ms: req.windowMs,
    ...(order === 'unordered' && { to_ms: req.toMs }),
  });
  const conditions = req.steps.map((s) => stepCondition(s, params));
  // The first step must start inside the range; later steps may run past its end by the window.
  conditions[0] = `${conditions[0]} AND ts < {to:DateTime64(3, 'UTC')}`;
  const exclusions = (req.exclusions ?? []).map((x) => ({ condition: stepCondition(x, params), bits: exclusionBits(x.fromStep, x.toStep) }));
  const stepMask = `toUInt32(${conditions.map((c, i) => `if(${c}, ${1 << i}, 0)`).join(' + ')})`;
  const exclusionMask = exclusions.length
    ? exclusions.map((x) => `toUInt32(if(${x.condition}, ${x.bits}, 0))`).reduce((acc, x) => `bitOr(${acc}, ${x})`)
    : 'toUInt32(0)';
  const window = '{window_ms:UInt64}';
  let perUnit: string;
  if (!withTimes && usesWindowFunnel(req)) {
    perUnit = `windowFunnel(${window})(toUInt64(toUnixTimestamp64Milli(ts)), ${conditions.join(', ')}) AS level`;
  } else if (order === 'unordered') {
    const level = unorderedLevelSql(stepGroups(req.steps), 'ev', window, '{to_ms:Int64}');
    perUnit = `${eventArraySql(stepMask, exclusionMask)} AS ev, ${level} AS f, if(f.2 = 1, toUInt8(0), f.1) AS level, emptyArrayInt64() AS times`;
  } else {
    const fold = orderedFoldSql(req.steps.length, 'ev', window, order === 'strict');
    perUnit = `${eventArraySql(stepMask, exclusionMask)} AS ev, ${fold} AS f, if(f.6 = 1, toUInt8(0), f.4) AS level, f.7 AS times`;
  }
  const group = groupSql(req.breakdown);
  const attribution = req.attribution ?? 'first_touch';
  let unitSets = "[(toUInt8(1), '')] AS sets";
  let grouping = 'unit';
  if (req.breakdown && attribution === 'step') {
    // One scan feeds two grouping sets: per unit (the overall row) and per unit and group (each group's funnel).
    unitSets = `${group} AS grp, [(toUInt8(grouping(grp)), grp)] AS sets`;
    grouping = 'GROUPING SETS ((unit), (unit, grp))';
  } else if (req.breakdown) {
    unitSets = `[(toUInt8(1), ''), (toUInt8(0), argMinIf(${group}, ts, ${conditions[0]}))] AS sets`;
  }
  const slots = {
    unit: req.unit === 'user' ? "if(user_id != '', user_id, phone)" : 'message_id',
    unit_sets: unitSets,
    grouping,
    per_unit: perUnit,
    filters: whereSql(req.filters, params),
    // Strict order reads every event of a unit: any other event between two steps breaks the chain.
    reads: order === 'strict' ? '1' : anyOf([...conditions, ...exclusions.map((x) => x.condition)]),
  };
  return { params, slots };
}

/** Units reaching each step, overall (`overall` = 1) and per group, in one pass over events. */
export function funnelCountsStatement(workspaceId: string, req: FunnelRequest): { statement: string; params: Record<string, unknown> } {
  const { params, slots } = funnelBase(workspaceId, req, false);
  const counts = req.steps.map((_, i) => `countIf(level >= ${i + 1})`).join(', ');
  const units = sqlWithGenerated('funnels/funnel-units', { ...slots, row_sample: '1', min_level: '1' });
  return { statement: sqlWithGenerated('funnels/funnel-counts', { units, counts }), params: params.values };
}

/** Per-set sample cuts (out of SAMPLE_MODULUS): the overall set's, and each group's. */
export interface SampleCuts {
  overall: number;
  groups: Map<string, number>;
}

/** Times to convert (ordered and strict order) over the units of each set whose hash falls under that set's cut. */
export function funnelTimesStatement(workspaceId: string, req: FunnelRequest, cuts: SampleCuts): { statement: string; params: Record<string, unknown> } {
  const { params, slots } = funnelBase(workspaceId, req, true);
  params.values.sample_modulus = SAMPLE_MODULUS;
  params.values.steps = req.steps.length;
  const overallCut = params.add(cuts.overall, 'UInt64');
  const groupCut = (value: string) =>
    `transform(${value}, ${params.add([...cuts.groups.keys()], 'Array(String)')}, ${params.add([...cuts.groups.values()], 'Array(UInt64)')}, toUInt64(0))`;
  let rowCut = overallCut;
  if (req.breakdown) {
    // A row is read when its unit is sampled for the overall row or for a group it may count in; each set then
    // keeps only its own sample, whose units have all their rows (the hash is the unit's).
    const perStepGroup = (req.attribution ?? 'first_touch') === 'step';
    rowCut = `greatest(${overallCut}, ${perStepGroup ? groupCut(groupSql(req.breakdown)) : params.add(Math.max(0, ...cuts.groups.values()), 'UInt64')})`;
  }
  const setCut = req.breakdown ? `if(s.1 = 1, ${overallCut}, ${groupCut('s.2')})` : overallCut;
  const gap = (i: number) => `(times[${i + 1}] - times[${i}]) / 1000`;
  const perStep = (fn: string) => req.steps.map((_, i) => (i === 0 ? 'CAST(NULL AS Nullable(Float64))' : `${fn}(${gap(i)}, level >= ${i + 1})`)).join(', ');
  // Only sampled units keep their events' times, so the arrays stay bounded however many units converted.
  const units = sqlWithGenerated('funnels/funnel-units', { ...slots, row_sample: `cityHash64(unit) % {sample_modulus:UInt64} < ${rowCut}`, min_level: '2' });
  const statement = sqlWithGenerated('funnels/funnel-times', {
    units,
    set_cut: setCut,
    averages: perStep('avgIf'),
    medians: perStep('quantileExactInclusiveIf(0.5)'),
  });
  return { statement, params: params.values };
}
