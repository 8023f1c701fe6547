/**
 * Streamed audience exports: ClickHouse writes the page in the requested format (NDJSON, CSV or Arrow)
 * and its bytes are passed through, never re-encoded. Pages are keyset-paginated by user_id over one
 * immutable snapshot, so paging while new data arrives returns exactly that snapshot.
 */
import type { Readable } from 'node:stream';
import { AUDIENCE_FIELDS } from '../ingest/contact-schema.ts';
import { errors } from '../common/errors.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql, sqlWithGenerated } from '../warehouse/sql-files.ts';
import type { QueryParams, Warehouse } from '../warehouse/warehouse.ts';

/** What an export may carry: the contact fields audience snapshots copy (CONTACT_FIELDS says which). */
export const EXPORT_FIELDS: readonly string[] = AUDIENCE_FIELDS;
export type ExportField = (typeof AUDIENCE_FIELDS)[number];

/** The fields a comma-separated list names, each once; an unknown one is refused, naming `fields`. */
export function exportFieldsOf(list: string): ExportField[] {
  const fields = list.split(',').map((f) => f.trim());
  const unknown = fields.find((f) => !EXPORT_FIELDS.includes(f));
  if (unknown !== undefined) throw errors.invalid('fields', `${JSON.stringify(unknown)} is not an export field (${EXPORT_FIELDS.join(', ')})`);
  return [...new Set(fields)] as ExportField[];
}

export const EXPORT_FORMATS = {
  ndjson: { clickhouse: 'JSONEachRow', contentType: 'application/x-ndjson; charset=utf-8' },
  csv: { clickhouse: 'CSVWithNames', contentType: 'text/csv; charset=utf-8' },
  arrow: { clickhouse: 'ArrowStream', contentType: 'application/vnd.apache.arrow.stream' },
} as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

/**
 * The same masking as maskPhone(), in SQL, of an E.164 expression: 138****5678 for mainland mobiles.
 * (No braces in the regexes: the parameter binder reads `{...}` as a placeholder.)
 */
function maskedPhoneSql(phone: string): string {
  return `multiIf(
  ${phone} = '', '',
  startsWith(${phone}, '+861') AND length(${phone}) = 14 AND match(${phone}, '^[+][0-9]+$'), concat(substring(${phone}, 4, 3), '****', substring(${phone}, 11, 4)),
  length(${phone}) >= 11, concat(substring(${phone}, 1, 3), repeat('*', toUInt64(length(${phone}) - 7)), substring(${phone}, length(${phone}) - 3, 4)),
  concat(repeat('*', toUInt64(greatest(length(${phone}), 4) - 4)), substring(${phone}, greatest(toInt64(length(${phone})) - 3, 1), 4))
)`;
}

export const MASKED_PHONE_SQL = maskedPhoneSql('phone');

/** A user id that is a phone number (E.164, or a mainland mobile with or without 86), masked like one (see maskIdentifier). */
const MASKED_USER_ID_SQL = `if(
  match(user_id, '^[+][1-9][0-9]+$') AND length(user_id) BETWEEN 9 AND 16, ${maskedPhoneSql('user_id')},
  if(match(user_id, '^(0086|86)?1[3-9][0-9]+$') AND length(replaceRegexpOne(user_id, '^(0086|86)', '')) = 11,
     ${maskedPhoneSql("concat('+86', replaceRegexpOne(user_id, '^(0086|86)', ''))")},
     user_id))`;

/** The select list of an export's fields, phones (and user ids that are phones) masked when asked. */
export function exportColumns(fields: readonly ExportField[], maskPhones: boolean): string {
  const masked: Partial<Record<ExportField, string>> = maskPhones ? { phone: `${MASKED_PHONE_SQL} AS phone`, user_id: `${MASKED_USER_ID_SQL} AS user_id` } : {};
  return fields.map((f) => masked[f] ?? f).join(', ');
}

export interface ExportPage {
  stream: Readable;
  contentType: string;
  /** user_id to continue after, or null on the last page. */
  nextAfter: string | null;
}

export async function exportAudiencePage(
  wh: Warehouse,
  workspaceId: string,
  audienceId: string,
  opts: { version: number; fields: readonly ExportField[]; format: ExportFormat; after: string; limit: number; maskPhones: boolean },
): Promise<ExportPage> {
  const params = workspaceParams(workspaceId, { audience: audienceId, version: opts.version, after: opts.after, limit: opts.limit });
  const end = await wh.query<{ user_id: string }>(sql('audiences/page-end'), { ...params, offset: opts.limit - 1 });
  const page = await streamInFormat(wh, sqlWithGenerated('audiences/export', { columns: exportColumns(opts.fields, opts.maskPhones) }), params, opts.format);
  return { ...page, nextAfter: end.length === 2 ? end[0]!.user_id : null };
}

/** Streams a statement's rows as ClickHouse writes them in `format` (Arrow uncompressed, plain strings: see PITFALLS). */
export async function streamInFormat(wh: Warehouse, statement: string, params: QueryParams, format: ExportFormat): Promise<Omit<ExportPage, 'nextAfter'>> {
  const settings: Record<string, string | number> =
    format === 'arrow' ? { output_format_arrow_compression_method: 'none', output_format_arrow_low_cardinality_as_dictionary: 0 } : {};
  const stream = await wh.stream(statement, params, EXPORT_FORMATS[format].clickhouse, { settings });
  return { stream, contentType: EXPORT_FORMATS[format].contentType };
}
