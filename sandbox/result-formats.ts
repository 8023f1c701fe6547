/** A sandbox result as JSON values, CSV text or an Arrow IPC stream. */
import {
  Bool,
  DateMillisecond,
  Field,
  Float64,
  Int32,
  Int64,
  Schema,
  Table,
  TimestampMillisecond,
  Utf8,
  tableToIPC,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import type { SqlResult } from './sql-sandbox.ts';

/**
 * One value as JSON can carry it: whole numbers within 2^53 as numbers (larger ones as strings, never rounded),
 * instants and dates as ISO text, lists and structs element by element, bytes as base64.
 */
export function jsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  return value;
}

/** The rows with JSON values. */
export const jsonRows = (result: SqlResult): unknown[][] => result.rows.map((row) => row.map(jsonValue));

function csvCell(value: unknown): string {
  const v = jsonValue(value);
  if (v === null) return '';
  const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 CSV with a header line. */
export function toCsv(result: SqlResult): string {
  const lines = [result.columns.map((c) => csvCell(c.name)), ...result.rows.map((row) => row.map(csvCell))];
  return lines.map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}

/** The Arrow type a DuckDB column becomes; anything without a plain counterpart travels as text (JSON for nested values). */
function arrowType(duckdbType: string): { type: DataType; value: (v: unknown) => unknown } {
  const asText = (v: unknown) => {
    const j = jsonValue(v);
    return j === null ? null : typeof j === 'object' ? JSON.stringify(j) : String(j);
  };
  if (duckdbType === 'BOOLEAN') return { type: new Bool(), value: (v) => v ?? null };
  if (/^(TINYINT|SMALLINT|INTEGER|UTINYINT|USMALLINT)$/.test(duckdbType)) return { type: new Int32(), value: (v) => v ?? null };
  if (/^(BIGINT|UINTEGER)$/.test(duckdbType)) return { type: new Int64(), value: (v) => (v === null || v === undefined ? null : BigInt(v as number)) };
  if (/^(FLOAT|DOUBLE|DECIMAL)/.test(duckdbType)) return { type: new Float64(), value: (v) => (v === null || v === undefined ? null : Number(v)) };
  if (duckdbType.startsWith('TIMESTAMP')) return { type: new TimestampMillisecond(), value: (v) => (v instanceof Date ? v.getTime() : null) };
  if (duckdbType === 'DATE') return { type: new DateMillisecond(), value: (v) => (v instanceof Date ? v : null) };
  return { type: new Utf8(), value: asText };
}

/** An Arrow IPC stream (what `apache-arrow`'s tableFromIPC and pyarrow's ipc.open_stream read). */
export function toArrow(result: SqlResult): Uint8Array {
  const converted = result.columns.map((c, i) => {
    const { type, value } = arrowType(c.type);
    return {
      field: new Field(c.name, type, true),
      vector: vectorFromArray(
        result.rows.map((row) => value(row[i])),
        type,
      ),
    };
  });
  const schema = new Schema(converted.map((c) => c.field));
  const table = new Table(schema, Object.fromEntries(converted.map((c) => [c.field.name, c.vector])));
  return tableToIPC(table, 'stream');
}
