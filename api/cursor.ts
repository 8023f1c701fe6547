/** Opaque page cursors: callers pass back what they were given and never build one themselves. */
import crypto from 'node:crypto';
import Type from 'typebox';
import { errors } from './errors.ts';

// Cursors carry the last row's key, which may be personal (a phone used as a user id): they are sealed
// (AES-256-GCM), so a caller can neither read nor forge one. Servers behind one load balancer share
// CURSOR_SECRET; otherwise each process has its own key and a cursor outlives it only as a 400.
let cursorKey = crypto.randomBytes(32);

/** Sets the key cursors are sealed with (from configuration); any length of secret text. */
export function setCursorSecret(secret: string): void {
  cursorKey = crypto.createHash('sha256').update(`smsp-cursor:${secret}`).digest();
}

function seal(value: unknown): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', cursorKey, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

function unseal(cursor: string): unknown {
  try {
    const raw = Buffer.from(cursor, 'base64url');
    const decipher = crypto.createDecipheriv('aes-256-gcm', cursorKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
  } catch {
    return undefined;
  }
}

const notOurs = (field: string) => errors.validation(`${field}: is not a cursor this API issued`, field);

/**
 * Where the next page starts: after `after` (the last row's key), and for a snapshot export the
 * snapshot's `version`, so every page reads the same one. A list's cursor has no version, an export's
 * always has one: neither is accepted by the other.
 */
export interface CursorPosition {
  after: string;
  version?: number;
}

/** Seals a position into an opaque cursor. */
export function encodeCursor({ after, version }: CursorPosition): string {
  return seal(version === undefined ? { v: 1, p: after } : { v: 1, p: after, s: version });
}

/** The position in a cursor this API issued, of the kind the caller expects; else a 400 naming `field`. */
export function decodeCursor(cursor: string, field: string, kind: 'list'): { after: string };
export function decodeCursor(cursor: string, field: string, kind: 'snapshot'): { after: string; version: number };
export function decodeCursor(cursor: string, field: string, kind: 'list' | 'snapshot'): CursorPosition {
  const c = unseal(cursor) as { v?: unknown; p?: unknown; s?: unknown } | undefined;
  if (c?.v !== 1 || typeof c.p !== 'string') throw notOurs(field);
  if (kind === 'list' && c.s === undefined) return { after: c.p };
  if (kind === 'snapshot' && Number.isInteger(c.s)) return { after: c.p, version: c.s as number };
  throw notOurs(field);
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
export const pageStart = (cursor: string | undefined): string => (cursor === undefined ? '' : decodeCursor(cursor, 'querystring.cursor', 'list').after);

/**
 * A page from rows fetched with limit + 1: the extra row only says that more follow, and the
 * cursor points after the last row returned.
 */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => string): { items: T[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, next_cursor: more ? encodeCursor({ after: keyOf(items.at(-1)!) }) : null };
}

/**
 * One page of a list keyed by id: `read(limit + 1, after)` fetches one row more than the page, which only says
 * that more follow; the page's last key becomes the next cursor.
 */
export async function readPage<T>(
  query: { limit: number; cursor?: string },
  read: (limit: number, after: string) => Promise<T[]>,
  keyOf: (row: T) => string,
): Promise<{ items: T[]; next_cursor: string | null }> {
  return pageOf(await read(query.limit + 1, pageStart(query.cursor)), query.limit, keyOf);
}
