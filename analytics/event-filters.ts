/** Event filters and breakdowns shared by funnels and metrics: validated like rule `where` clauses. */
import { Params, eventWhereSql } from '../segmentation/rule-sql.ts';
import type { WhereClause } from '../segmentation/rule-types.ts';
import { AppError, errors } from '../common/errors.ts';
import { validateRule } from '../segmentation/rule-validation.ts';

export const BREAKDOWNS = ['campaign_id', 'template_id', 'channel', 'carrier', 'region', 'variant'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

/** Checks `where` clauses, naming `path` in errors (e.g. `filters[1].op`, relative to the caller's input). */
export function validateWhere(where: unknown, path: string): WhereClause[] {
  if (where === undefined) return [];
  // A behaviour leaf's `where` has exactly these rules: reuse its validator, then name our own path.
  try {
    validateRule({ event: 'send', where }, 'x');
  } catch (err) {
    if (err instanceof AppError && err.entry === 'invalid') {
      throw errors.invalid((err.path ?? '').replace(/^x\.where/, path), (err as AppError<'invalid'>).args.reason);
    }
    throw err;
  }
  return where as WhereClause[];
}

/** SQL for clauses, ANDed ('1' when none). */
export function whereSql(where: readonly WhereClause[], params: Params): string {
  const parts = eventWhereSql(where, { params });
  return parts.length ? parts.map((p) => `(${p})`).join(' AND ') : '1';
}

/** The breakdown column (a fixed catalogue name) or a constant. */
export const groupSql = (breakdown?: Breakdown): string => (breakdown ? breakdown : "''");
