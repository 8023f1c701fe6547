/**
 * Compiles a validated rule to a ClickHouse boolean expression over the contacts table, with every
 * value bound as a server-side parameter ({p0:String}, ...): no user value is pasted into SQL.
 * Column names and SQL keywords come only from the fixed catalogues in rule-types.ts.
 *
 * Semantics: a leaf on a missing value is false (and `not` of it true); relative days count back from
 * `now` in calendar days of the workspace's time zone (the same wall-clock time N days earlier: across a
 * DST change that is N×24 h ± 1 h); calendar questions (is_today) use that zone too, and a date-only value
 * compared with an instant (signup_at before 2026-05-01) is midnight starting that day in the zone. Events belong to a contact by
 * user_id, or by phone when the event has no user_id (number-list contacts have the phone as user id).
 */
import { isStorableDate } from '../common/dates.ts';
import { ownValue } from '../common/lookup.ts';
import { eventWhereSql } from '../warehouse/event-filter-sql.ts';
import { formatTs } from '../warehouse/time.ts';
import { allOf, comparison, OPERATOR_SQL, type Params } from '../warehouse/query-builder.ts';
import type { LifecycleSettings } from './lifecycle-settings.ts';
import { stagesAtSql, zoneDaysBefore } from './lifecycle-sql.ts';
import { rollupFor } from './rollup-plan.ts';
import {
  CONTACT_ATTRIBUTES,
  type AttrLeaf,
  type CompareOp,
  type CountOp,
  type EventLeaf,
  type LifecycleLeaf,
  type RfmLeaf,
  type RfmScore,
  type Rule,
  type TagLeaf,
} from './rule-types.ts';

export interface CompileContext {
  /** Binds every value; it binds the workspace too, and its `workspaceFilter` scopes every subquery. */
  params: Params;
  /** Placeholders bound by the caller: {now:DateTime64(3, 'UTC')}, {tz:String}. */
  now: string;
  tz: string;
  /** The workspace's lifecycle thresholds: needed only by a rule with a lifecycle leaf (see usesLifecycle). */
  lifecycle?: LifecycleSettings;
  /**
   * A set of contact ids in SQL (an Array parameter or a subquery): when given, event and tag reads are restricted
   * to those contacts, so a realtime segment re-evaluates only the contacts something happened to.
   */
  units?: string;
}

const COUNT_SQL: Readonly<Record<CountOp, string>> = OPERATOR_SQL;

/** `days` calendar days before now in the zone (the same wall-clock time), as a UTC instant. */
const daysBeforeNow = (days: string, ctx: CompileContext) => zoneDaysBefore(ctx.now, days, ctx.tz);

/** A value compared with an instant column: midnight in the zone for a date-only value, else the instant itself. */
function instantValue(value: unknown, ctx: CompileContext): string {
  if (typeof value === 'string' && isStorableDate(value)) return `toTimeZone(toDateTime64(${ctx.params.add(value, 'String')}, 3, ${ctx.tz}), 'UTC')`;
  return ctx.params.add(formatTs(Date.parse(value as string)), "DateTime64(3, 'UTC')");
}

/** `column <op> value` on an instant column (signup_at) with the date operators validation allows. */
function instantComparison(column: string, op: CompareOp, value: AttrLeaf['value'], ctx: CompileContext): string {
  if (op === 'exists') return value === false ? `${column} IS NULL` : `${column} IS NOT NULL`;
  if (op === 'between') return `${column} BETWEEN ${instantValue((value as string[])[0], ctx)} AND ${instantValue((value as string[])[1], ctx)}`;
  return `${column} ${OPERATOR_SQL[op as keyof typeof OPERATOR_SQL]} ${instantValue(value, ctx)}`;
}

function attrSql(leaf: AttrLeaf, ctx: CompileContext): string {
  if (leaf.attr.startsWith('attributes.')) {
    const column = `attributes[${ctx.params.add(leaf.attr.slice('attributes.'.length), 'String')}]`;
    const numeric = ['gt', 'gte', 'lt', 'lte', 'between'].includes(leaf.op);
    return numeric
      ? comparison(`toFloat64OrNull(${column})`, leaf.op as CompareOp, leaf.value, 'Float64', ctx.params, true)
      : comparison(column, leaf.op as CompareOp, leaf.value, 'String', ctx.params, false);
  }
  const kind = ownValue(CONTACT_ATTRIBUTES, leaf.attr)!;
  const column = leaf.attr; // a catalogue name, not user text
  // A number column always has a value (0 when never set).
  if (kind === 'number' && leaf.op === 'exists') return leaf.value === false ? '0' : '1';
  if (kind === 'number') return comparison(column, leaf.op as CompareOp, leaf.value, 'Float64', ctx.params, false);
  if (kind === 'string') return comparison(column, leaf.op as CompareOp, leaf.value, 'String', ctx.params, false);
  if (leaf.op === 'within_days') {
    const days = ctx.params.add(leaf.value, 'UInt32');
    // A date (birthday) starts at midnight in the zone, not in UTC.
    const instant = kind === 'date' ? `toDateTime64(${column}, 3, ${ctx.tz})` : column;
    return `${instant} >= ${daysBeforeNow(days, ctx)} AND ${instant} <= ${ctx.now}`;
  }
  if (leaf.op === 'is_today') {
    const today = `toDate(${ctx.now}, ${ctx.tz})`;
    return kind === 'date'
      ? `toMonth(${column}) = toMonth(${today}) AND toDayOfMonth(${column}) = toDayOfMonth(${today})`
      : `toDate(${column}, ${ctx.tz}) = ${today}`;
  }
  if (kind === 'date') return comparison(column, leaf.op as CompareOp, leaf.value, 'Date32', ctx.params, true);
  return instantComparison(column, leaf.op as CompareOp, leaf.value, ctx);
}

function tagSql(leaf: TagLeaf, ctx: CompileContext): string {
  const value = leaf.value === undefined ? '' : ` AND value = ${ctx.params.add(leaf.value, 'String')}`;
  const units = ctx.units ? ` AND user_id IN ${ctx.units}` : '';
  return `user_id IN (SELECT user_id FROM tags FINAL WHERE ${ctx.params.workspaceFilter} AND tag = ${ctx.params.add(leaf.tag, 'String')}${value}${units})`;
}

/** Count conditions that hold exactly when a contact has at least one event (or, holding at zero, none). */
const PRESENCE: Readonly<Record<CountOp, number | undefined>> = { gte: 1, gt: 0, neq: 0, eq: 0, lt: 1, lte: 0 };

/**
 * `user_id IN (units whose count holds)` for a behaviour leaf. Units are counted over [now - N days, now]
 * (or all time up to now): from a daily rollup for the whole UTC days strictly inside that window when
 * the leaf's `where` is one the rollup keeps (see rollup-plan.ts), and from raw events for the partial
 * days at its two edges (or for everything, when no rollup can answer).
 */
function eventSql(leaf: EventLeaf, ctx: CompileContext): string {
  const type = ctx.params.add(leaf.event, 'String');
  const from = leaf.within_days === undefined ? undefined : daysBeforeNow(ctx.params.add(leaf.within_days, 'UInt32'), ctx);
  const raw = [
    ctx.params.workspaceFilter,
    `type = ${type}`,
    `ts <= ${ctx.now}`,
    ...(from ? [`ts >= ${from}`] : []),
    ...eventWhereSql(leaf.where ?? [], ctx.params),
  ];
  const rawUnit = `if(user_id != '', user_id, phone)`;
  if (ctx.units) raw.push(`${rawUnit} IN ${ctx.units}`);

  // (unit, count) rows whose sum per unit is the unit's count; several rows of one unit may appear.
  let parts: string;
  const plan = rollupFor(leaf.where ?? []);
  if (plan) {
    const today = `toDate(${ctx.now})`;
    // Whole UTC days strictly inside the window from the rollup; the first (partial) day and today (up to now) raw.
    const days = from ? [`day > toDate(${from})`, `day < ${today}`] : [`day < ${today}`];
    const edges = from ? `toDate(ts) IN (toDate(${from}), ${today})` : `toDate(ts) = ${today}`;
    const filters = plan.filters.map((f) => comparison(f.column, f.clause.op, f.clause.value, 'String', ctx.params, false));
    if (ctx.units) filters.push(`unit IN ${ctx.units}`);
    parts =
      `SELECT unit, toUInt64(events) AS c FROM ${plan.table} WHERE ${allOf([ctx.params.workspaceFilter, `type = ${type}`, ...days, ...filters])}` +
      ` UNION ALL SELECT ${rawUnit} AS unit, toUInt64(1) AS c FROM events WHERE ${allOf([...raw, edges])}`;
  } else {
    parts = `SELECT ${rawUnit} AS unit, toUInt64(1) AS c FROM events WHERE ${allOf(raw)}`;
  }
  const count = leaf.count ?? { op: 'gte', value: 1 };
  const holdsAtZero = { eq: 0 === count.value, neq: 0 !== count.value, gt: 0 > count.value, gte: 0 >= count.value, lt: 0 < count.value, lte: 0 <= count.value }[
    count.op
  ];
  // Units whose count decides: those where it holds, or (when it holds at zero) those where it fails.
  let decisive: string;
  if (PRESENCE[count.op] === count.value) {
    // "at least one" (or "none"): the set of units with any row, no counting needed.
    decisive = `SELECT unit FROM (${parts})`;
  } else {
    const holds = `sum(c) ${COUNT_SQL[count.op]} ${ctx.params.add(count.value, 'UInt64')}`;
    decisive = `SELECT unit FROM (${parts}) GROUP BY unit HAVING ${holdsAtZero ? `NOT (${holds})` : holds}`;
  }
  // A count that holds at zero includes contacts with no such event: everyone but those whose count fails it.
  return holdsAtZero ? `user_id NOT IN (${decisive})` : `user_id IN (${decisive})`;
}

function scoreSql(column: 'r' | 'f' | 'm', score: RfmScore, ctx: CompileContext): string {
  if (score.op === 'between') {
    const [lo, hi] = score.value as number[];
    return `${column} BETWEEN ${ctx.params.add(lo, 'UInt8')} AND ${ctx.params.add(hi, 'UInt8')}`;
  }
  if (score.op === 'in') return `${column} IN ${ctx.params.add(score.value, 'Array(UInt8)')}`;
  return `${column} ${COUNT_SQL[score.op]} ${ctx.params.add(score.value, 'UInt8')}`;
}

/** Recipients of the workspace's newest RFM run whose scores or segment match. */
function rfmSql(leaf: RfmLeaf, ctx: CompileContext): string {
  const conditions = [ctx.params.workspaceFilter, `run_id = (SELECT argMax(run_id, computed_at) FROM rfm_scores WHERE ${ctx.params.workspaceFilter})`];
  if (leaf.rfm.segment !== undefined) conditions.push(`segment = ${ctx.params.add(leaf.rfm.segment, 'String')}`);
  for (const k of ['r', 'f', 'm'] as const) if (leaf.rfm[k]) conditions.push(scoreSql(k, leaf.rfm[k]!, ctx));
  return `user_id IN (SELECT user_id FROM rfm_scores WHERE ${conditions.join(' AND ')})`;
}

/** Contacts whose stage now is one of the leaf's (the stages are computed as of now, see lifecycle-sql.ts). */
function lifecycleSql(leaf: LifecycleLeaf, ctx: CompileContext): string {
  if (!ctx.lifecycle) throw new Error('a lifecycle leaf needs the workspace lifecycle settings in the compile context');
  const wanted = typeof leaf.lifecycle === 'string' ? [leaf.lifecycle] : leaf.lifecycle.in;
  const stages = stagesAtSql(ctx.lifecycle, ctx.params, ctx.tz, `[${ctx.now}]`);
  return `user_id IN (SELECT user_id FROM (${stages}) WHERE stage IN ${ctx.params.add(wanted, 'Array(String)')})`;
}

/** The boolean SQL expression of `rule` over a contacts row. */
export function compileRule(rule: Rule, ctx: CompileContext): string {
  if ('all' in rule) return `(${rule.all.map((r) => compileRule(r, ctx)).join(' AND ')})`;
  if ('any' in rule) return `(${rule.any.map((r) => compileRule(r, ctx)).join(' OR ')})`;
  if ('not' in rule) return `(NOT ${compileRule(rule.not, ctx)})`;
  // Leaves are two-valued: NULL (a missing value) reads as false.
  if ('attr' in rule) return `ifNull((${attrSql(rule, ctx)}), 0)`;
  if ('tag' in rule) return tagSql(rule, ctx);
  if ('event' in rule) return eventSql(rule, ctx);
  if ('rfm' in rule) return rfmSql(rule, ctx);
  if ('lifecycle' in rule) return lifecycleSql(rule, ctx);
  const model = ctx.params.add(rule.cluster.model, 'String');
  return `user_id IN (SELECT user_id FROM cluster_assignments WHERE ${ctx.params.workspaceFilter} AND model_id = ${model} AND cluster IN ${ctx.params.add(rule.cluster.in, 'Array(UInt32)')})`;
}
