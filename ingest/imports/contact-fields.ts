/**
 * One record of a contact file → a staged row, or the reason it is refused. Column names may be the
 * API's field names or their aliases (Chinese / spreadsheet headers), both from CONTACT_FIELDS, whose
 * cell parsers validate the values; `tags` and `tag:<name>` columns are tags; other columns become attributes.
 */
import { catalogue, ownValue } from '../../common/lookup.ts';
import { CONTACT_FIELDS, IMPORT_HEADER_FIELDS, cellText, emptyStagedContact, type ContactField, type StagedContact } from '../contact-schema.ts';
import { illFormedStringPath } from '../../common/schema-errors.ts';
import type { Cell } from './row-sources.ts';

export type { StagedContact } from '../contact-schema.ts';

export type FieldResult = { ok: true; row: StagedContact } | { ok: false; reason: string };

/** Import columns that are not contact fields: tags in `a;b=value` form. */
const TAG_HEADERS = catalogue<'tags'>({ tags: 'tags', 标签: 'tags' });
const TRUTHY = new Set(['1', 'true', 'yes', 'y', '是', 'x', '✓']);

/** The field or column a header names (lower-cased), `tag:<name>` as is, or the header itself (an attribute). */
export function canonicalColumn(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('tag:')) return h;
  return ownValue(IMPORT_HEADER_FIELDS, h) ?? ownValue(TAG_HEADERS, h) ?? h;
}

function tagsOf(v: Cell): [string, string][] {
  return cellText(v)
    .split(/[;|，,]/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const [tag, ...value] = t.split('=');
      return [tag!.trim().slice(0, 64), value.join('=').trim().slice(0, 256)] as [string, string];
    });
}

/** The staged row for one record, or why the line is refused. */
export function stageContact(values: Record<string, Cell>, line: number, extraTag?: string): FieldResult {
  const row = emptyStagedContact(line);
  const fields = row as unknown as Record<ContactField, unknown>;
  if (extraTag) row.tags.push([extraTag, '']);
  for (const [header, value] of Object.entries(values)) {
    if (value === null || cellText(value) === '') continue;
    const column = canonicalColumn(header);
    if (column.startsWith('tag:')) {
      row.tags.push([column.slice(4), TRUTHY.has(cellText(value).toLowerCase()) ? '' : cellText(value)]);
    } else if (column === 'tags') {
      row.tags.push(...tagsOf(value));
    } else if (Object.hasOwn(IMPORT_HEADER_FIELDS, header.trim().toLowerCase())) {
      const field = column as ContactField;
      const parsed = CONTACT_FIELDS[field].fromCell(value);
      if (!parsed.ok) return { ok: false, reason: `${field}: ${parsed.why}` };
      fields[field] = parsed.value;
    } else {
      row.attributes[header.trim().slice(0, 64)] = cellText(value).slice(0, 1024);
    }
  }
  const key = row.user_id ?? row.phone;
  if (!key) return { ok: false, reason: 'phone: a line needs a phone number (or a user_id)' };
  const illFormed = illFormedStringPath(row);
  if (illFormed) return { ok: false, reason: `${illFormed}: is not valid Unicode text` };
  row.key = key;
  return { ok: true, row };
}
