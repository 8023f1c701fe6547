/**
 * Which per-contact daily rollup (migration 0012) can answer a behaviour leaf exactly. A rollup row
 * keeps event counts per workspace × type × UTC day × unit × status, and contact_daily_dims also per
 * campaign, template, channel and the `category` property; a `where` that asks only eq/in of those can
 * be answered by summing rows, anything else (ranges, other properties, revenue, message ids) needs raw
 * events.
 */
import { ownValue } from '../common/lookup.ts';
import type { WhereClause } from './rule-types.ts';

export type RollupTable = 'contact_daily' | 'contact_daily_dims';

/** A `where` property → the rollup column holding it, and the narrowest table that has that column. */
const ROLLED_UP: Readonly<Record<string, { column: string; table: RollupTable }>> = Object.freeze(
  Object.assign(Object.create(null), {
    status: { column: 'status', table: 'contact_daily' },
    campaign_id: { column: 'campaign_id', table: 'contact_daily_dims' },
    template_id: { column: 'template_id', table: 'contact_daily_dims' },
    channel: { column: 'channel', table: 'contact_daily_dims' },
    // A property key, not an event column: properties['category'], '' when the event has none.
    category: { column: 'category', table: 'contact_daily_dims' },
  }),
);

export interface RollupPlan {
  table: RollupTable;
  /** Each `where` clause with the rollup column it compares. */
  filters: { column: string; clause: WhereClause }[];
}

/** The rollup that answers these `where` clauses exactly, or undefined when raw events are needed. */
export function rollupFor(where: readonly WhereClause[]): RollupPlan | undefined {
  const filters: RollupPlan['filters'] = [];
  let table: RollupTable = 'contact_daily';
  for (const clause of where) {
    const dim = ownValue(ROLLED_UP, clause.prop);
    // eq/in of a string value only: the rollup keeps the dimension as the events' text.
    if (!dim || (clause.op !== 'eq' && clause.op !== 'in')) return undefined;
    if (dim.table === 'contact_daily_dims') table = 'contact_daily_dims';
    filters.push({ column: dim.column, clause });
  }
  return { table, filters };
}
