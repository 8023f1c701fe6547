/**
 * Web app sessions. The app's sign-in exchanges an API key, typed once, for a random 256-bit session secret that
 * the browser keeps in an HttpOnly cookie (so no script, and no injected one, can read it); only the secret's
 * SHA-256 is stored. A session acts as its key: the same workspace and role, until it expires, is ended by
 * sign-out, or its key is revoked (checked on every lookup that misses the short cache).
 */
import crypto from 'node:crypto';
import { formatTs, parseTs } from '../warehouse/time.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { authenticate, hashKey, principalOfKey } from './api-keys.ts';
import type { Principal } from './roles.ts';

/** How long a session lasts from sign-in. */
export const SESSION_HOURS = 12;
/** A session secret is 43 base64url characters; anything longer is refused without a lookup. */
const MAX_SECRET_LENGTH = 64;
/** Like key lookups: sign-out and key revocation in another process take effect within this. */
const CACHE_MS = 5_000;
const CACHE_ENTRIES = 10_000;

export interface Session {
  principal: Principal;
  expiresAtMs: number;
}

interface SessionRow {
  workspace_id: string;
  key_id: string;
  expires_at: string;
  ended: number;
}

/** Session rows by hash (the key behind a session is looked up each time, through the keys' own cache). */
const cache = new Map<string, { row: SessionRow | undefined; until: number }>();

/** A new session for `key`, or null when the key is unknown or revoked. */
export async function startSession(wh: Warehouse, key: string, nowMs = Date.now()): Promise<{ secret: string; session: Session } | null> {
  const principal = await authenticate(wh, key);
  if (!principal) return null;
  const secret = crypto.randomBytes(32).toString('base64url');
  const expiresAtMs = nowMs + SESSION_HOURS * 3_600_000;
  await wh.insert('sessions', [
    {
      session_hash: hashKey(secret),
      workspace_id: principal.workspaceId,
      key_id: principal.keyId,
      created_at: formatTs(nowMs),
      expires_at: formatTs(expiresAtMs),
      ended: 0,
    },
  ]);
  return { secret, session: { principal, expiresAtMs } };
}

/** The live session a secret opens, or null (unknown, expired, signed out, or its key revoked). */
export async function sessionOf(wh: Warehouse, secret: string, nowMs = Date.now()): Promise<Session | null> {
  if (secret.length > MAX_SECRET_LENGTH) return null;
  const hash = hashKey(secret);
  const hit = cache.get(hash);
  let row = hit && hit.until > nowMs ? hit.row : undefined;
  if (!hit || hit.until <= nowMs) {
    [row] = await wh.query<SessionRow>(sql('sessions/by-hash'), { session_hash: hash });
    if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(hash, { row, until: nowMs + (row ? CACHE_MS : 1000) });
  }
  if (!row || Number(row.ended)) return null;
  const expiresAtMs = parseTs(row.expires_at);
  if (expiresAtMs <= nowMs) return null;
  const principal = await principalOfKey(wh, row.workspace_id, row.key_id);
  return principal && { principal, expiresAtMs };
}

/** Sign-out: the session opens nothing from now on (in this process at once; elsewhere within CACHE_MS). */
export async function endSession(wh: Warehouse, secret: string, nowMs = Date.now()): Promise<void> {
  const session = await sessionOf(wh, secret, nowMs);
  cache.delete(hashKey(secret));
  if (!session) return;
  await wh.insert('sessions', [
    {
      session_hash: hashKey(secret),
      workspace_id: session.principal.workspaceId,
      key_id: session.principal.keyId,
      created_at: formatTs(nowMs),
      expires_at: formatTs(session.expiresAtMs),
      ended: 1,
    },
  ]);
}
