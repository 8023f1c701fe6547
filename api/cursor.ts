/** Opaque page cursors: callers pass back what they were given and never build one themselves. */
import crypto from 'node:crypto';
import Type, { type TSchema } from 'typebox';
import { PageOf } from './response-schemas.ts';
import { errors } from '../common/errors.ts';

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
 * snapshot's `version`, so every page reads the same one.
 */
export interface CursorPosition {
  after: string;
  version?: number;
}

/**
 * Seals a position into an opaque cursor issued for one list (`scope`, e.g. `contacts` or an audience's export): a
 * cursor is only ever taken back by the list that issued it.
 */
export function encodeCursor(scope: string, { after, version }: CursorPosition): string {
  return seal({ v: 2, l: scope, p: after, ...(version !== undefined && { s: version }) });
}

/** The position in a cursor this API issued for `scope`; else a 400 naming `field`. */
export function decodeCursor(cursor: string, field: string, scope: string): CursorPosition {
  const c = unseal(cursor) as { v?: unknown; l?: unknown; p?: unknown; s?: unknown } | undefined;
  if (c?.v !== 2 || c.l !== scope || typeof c.p !== 'string' || (c.s !== undefined && !Number.isInteger(c.s))) throw notOurs(field);
  return c.s === undefined ? { after: c.p } : { after: c.p, version: c.s as number };
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

/** The route schema of a list answered a page at a time as `{[name]: items, next_cursor}`. */
export const pagedListSchema = <N extends string, T extends TSchema>(summary: string, name: N, item: T, maxPageSize: number) => ({
  summary,
  querystring: pageQuery(maxPageSize),
  response: { 200: PageOf(name, item) },
});

/**
 * One page of the list `name`, keyed by `keyOf`: `read(limit + 1, after)` fetches one row more than the page, which
 * only says that more follow; the page's last key becomes the next cursor. `present` shapes each answered row.
 */
export async function readPage<N extends string, R, U = R>(
  name: N,
  query: { limit: number; cursor?: string },
  read: (limit: number, after: string) => Promise<R[]>,
  keyOf: (row: R) => string,
  present: (row: R) => U = (row) => row as unknown as U,
): Promise<{ [K in N]: U[] } & { next_cursor: string | null }> {
  const after = query.cursor === undefined ? '' : decodeCursor(query.cursor, 'querystring.cursor', name).after;
  const rows = await read(query.limit + 1, after);
  const more = rows.length > query.limit;
  const items = more ? rows.slice(0, query.limit) : rows;
  const next_cursor = more ? encodeCursor(name, { after: keyOf(items.at(-1)!) }) : null;
  return { [name]: items.map(present), next_cursor } as { [K in N]: U[] } & { next_cursor: string | null };
}
