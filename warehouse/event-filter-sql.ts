/**
 * Event filters in SQL: `{prop, op, value}` clauses over one row of the events table (a column, or else a key of
 * its properties). A segment rule's behaviour leaf, a funnel and a metric query all filter events this way, so
 * the clause and its SQL live below those domains; checking a clause is segmentation/rule-validation.ts's.
 */
import { catalogue, ownValue } from '../common/lookup.ts';
import { comparison, type CompareOp, type ComparedValue, type Params } from './query-builder.ts';

/** One event filter (the rule DSL calls it a `where` clause). */
export interface WhereClause {
  prop: string;
  op: CompareOp;
  value?: ComparedValue;
}

/** Event columns a filter may name; any other name is a key of the event's properties. */
export const EVENT_COLUMNS = catalogue<'string' | 'number'>({
  campaign_id: 'string',
  template_id: 'string',
  message_id: 'string',
  channel: 'string',
  carrier: 'string',
  region: 'string',
  status: 'string',
  error_code: 'string',
  experiment_id: 'string',
  variant: 'string',
  revenue: 'number',
});

/** SQL conditions for validated event filters, one per clause, every value bound. */
export function eventWhereSql(where: readonly WhereClause[], params: Params): string[] {
  return where.map((w) => {
    const column = ownValue(EVENT_COLUMNS, w.prop);
    // A number column always has a value (0 when never set), as for contacts' numbers.
    if (column === 'number' && w.op === 'exists') return w.value === false ? '0' : '1';
    if (column === 'number') return comparison(`toFloat64(${w.prop})`, w.op, w.value, 'Float64', params, false);
    if (column) return comparison(w.prop, w.op, w.value, 'String', params, false);
    const prop = `properties[${params.add(w.prop, 'String')}]`;
    const numeric = ['gt', 'gte', 'lt', 'lte', 'between'].includes(w.op);
    return numeric ? comparison(`toFloat64OrNull(${prop})`, w.op, w.value, 'Float64', params, true) : comparison(prop, w.op, w.value, 'String', params, false);
  });
}
