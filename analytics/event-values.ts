/** Distinct values of one event column (campaigns, templates, channels, carriers, regions, variants): filter pickers. */
import { formatTs } from '../warehouse/time.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sqlWithGenerated } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { errors } from '../common/errors.ts';
import { BREAKDOWNS, type Breakdown } from './event-filters.ts';

/** The most values one answer lists. */
export const MAX_VALUES = 500;

interface ColumnValues {
  column: Breakdown;
  values: { value: string; events: number }[];
  /** More values exist than were listed. */
  truncated: boolean;
}

/** The `limit` most frequent non-empty values of `column` among the workspace's events in [from, to), most frequent first. */
export async function eventColumnValues(
  wh: Warehouse,
  workspaceId: string,
  q: { column: string; fromMs: number; toMs: number; limit: number },
): Promise<ColumnValues> {
  const column = BREAKDOWNS.find((b) => b === q.column);
  if (!column) throw errors.invalid('column', `must be one of ${BREAKDOWNS.join(', ')}`);
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_VALUES) throw errors.invalid('limit', `must be 1-${MAX_VALUES}`);
  const params = workspaceParams(workspaceId, { from: formatTs(q.fromMs), to: formatTs(q.toMs), limit_plus_one: q.limit + 1 });
  const rows = await wh.query<{ value: string; events: string | number }>(sqlWithGenerated('events/column-values', { column }), params);
  return {
    column,
    values: rows.slice(0, q.limit).map((r) => ({ value: r.value, events: Number(r.events) })),
    truncated: rows.length > q.limit,
  };
}
