/** Event filters and breakdowns shared by funnels and metrics: the rule DSL's `where` clauses (segmentation). */
import { eventWhereSql, type WhereClause } from '../warehouse/event-filter-sql.ts';
import { validateWhereClauses } from '../segmentation/rule-validation.ts';
import { allOf, type Params } from '../warehouse/query-builder.ts';

export const BREAKDOWNS = ['campaign_id', 'template_id', 'channel', 'carrier', 'region', 'variant'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

/** Checks optional `where` clauses, naming `path` in errors (e.g. `querystring.filters[1].op`). */
export function validateWhere(where: unknown, path: string): WhereClause[] {
  return where === undefined ? [] : validateWhereClauses(where, path);
}

/** SQL for clauses, ANDed ('1' when none). */
export function whereSql(where: readonly WhereClause[], params: Params): string {
  return allOf(eventWhereSql(where, params));
}

/** The breakdown column (a fixed catalogue name) or a constant. */
export const groupSql = (breakdown?: Breakdown): string => (breakdown ? breakdown : "''");
