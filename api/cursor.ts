/** Opaque page cursors: callers pass back what they were given and never build one themselves. */
import Type from 'typebox';
import { errors } from './errors.ts';

export function encodeCursor(position: string): string {
  return Buffer.from(JSON.stringify({ v: 1, p: position })).toString('base64url');
}

export function decodeCursor(cursor: string, field: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: number; p?: unknown };
    if (decoded.v === 1 && typeof decoded.p === 'string') return decoded.p;
  } catch {
    // falls through to the error below
  }
  throw errors.validation(`${field}: is not a cursor this API issued`, field);
}

/** The query string of a keyset-paginated list: `limit` (at most `maxPageSize`) and an opaque `cursor`. */
export function pageQuery(maxPageSize: number) {
  return Type.Object(
    {
      limit: Type.Integer({ minimum: 1, maximum: maxPageSize, default: 100 }),
      cursor: Type.Optional(Type.String({ maxLength: 512, description: 'next_cursor of the previous page' })),
    },
    { additionalProperties: false },
  );
}

/** Where a page starts: after the position in the cursor, or at the beginning. */
export const pageStart = (cursor: string | undefined): string => (cursor === undefined ? '' : decodeCursor(cursor, 'querystring.cursor'));

/**
 * A page from rows fetched with limit + 1: the extra row only says that more follow, and the
 * cursor points after the last row returned.
 */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => string): { items: T[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, next_cursor: more ? encodeCursor(keyOf(items.at(-1)!)) : null };
}
