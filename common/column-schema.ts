/**
 * The JSON schema of a stored column as the API answers it, read off its ClickHouse type: integers, other numbers
 * (floats, decimals), maps of strings, and strings for everything else (times, dates, text); null when nullable.
 */
import Type, { type TSchema } from 'typebox';

export function columnAnswerSchema(column: string): TSchema {
  const base = column.replace(/^Nullable\((.*)\)$/, '$1').replace(/^LowCardinality\((.*)\)$/, '$1');
  const schema = /^U?Int/.test(base)
    ? Type.Integer()
    : /^(Float|Decimal)/.test(base)
      ? Type.Number()
      : base.startsWith('Map(')
        ? Type.Record(Type.String(), Type.String())
        : Type.String();
  return column.startsWith('Nullable(') ? Type.Union([schema, Type.Null()]) : schema;
}
