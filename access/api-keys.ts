/**
 * API keys: `smsp_<key id>_<secret>`, shown once at creation; only a SHA-256 of the whole key is
 * stored. Keys are 256-bit random, so a fast hash is enough (no password stretching needed).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errors } from '../common/errors.ts';
import { ConfigError } from '../config/config.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql } from '../warehouse/sql-files.ts';
import { formatTs } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { ROLES, type Principal, type Role } from './roles.ts';
import { ensureWorkspace, WORKSPACE_ID } from './workspaces.ts';

export const DEFAULT_WORKSPACE = 'default';
const ADMIN_KEY_NAME = 'ADMIN_API_KEY';

export function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

interface KeyRow {
  workspace_id: string;
  key_id: string;
  version: number;
  name: string;
  role: Role;
  key_hash: string;
  is_root: number;
  revoked: number;
}

export interface CreatedKey {
  key: string;
  key_id: string;
  workspace: string;
  role: Role;
  name: string;
}

/**
 * Cache of key lookups, so authentication is not a warehouse round trip per request. Bounded, so
 * unknown tokens cannot grow it; a revocation made by another process takes effect within CACHE_MS.
 */
const CACHE_MS = 5_000;
const CACHE_ENTRIES = 10_000;
const cache = new Map<string, { principal: Principal | null; until: number }>();
/** No key is longer; longer tokens are refused without a lookup. */
const MAX_KEY_LENGTH = 256;
/** ADMIN_API_KEY must be at least this long: it is the root of every workspace. */
export const MIN_ADMIN_KEY_LENGTH = 24;

/** Forgets cached lookups (after a key is created or revoked in this process). */
export function clearKeyCache(): void {
  cache.clear();
}

async function storeKey(wh: Warehouse, row: Omit<KeyRow, 'version'> & { version?: number }, changedBy: string): Promise<void> {
  await wh.insert('api_keys', [{ version: 1, ...row, changed_at: formatTs(Date.now()), changed_by: changedBy }]);
  clearKeyCache();
}

/** Creates a key for `workspace` (creating the workspace when new) and returns it: the only time it is shown. */
export async function createApiKey(
  wh: Warehouse,
  input: { workspace: string; role: Role; name: string; createdBy: string; isRoot?: boolean; key?: string },
): Promise<CreatedKey> {
  if (!ROLES.includes(input.role)) throw new Error(`unknown role ${input.role}`);
  await ensureWorkspace(wh, input.workspace, input.createdBy);
  const keyId = crypto.randomBytes(6).toString('hex');
  const key = input.key ?? `smsp_${keyId}_${crypto.randomBytes(32).toString('base64url')}`;
  await storeKey(
    wh,
    { workspace_id: input.workspace, key_id: keyId, name: input.name, role: input.role, key_hash: hashKey(key), is_root: input.isRoot ? 1 : 0, revoked: 0 },
    input.createdBy,
  );
  return { key, key_id: keyId, workspace: input.workspace, role: input.role, name: input.name };
}

/**
 * A key created by an admin `by`: in `by`'s workspace unless another is named, which only a root key may
 * do (it may reach into, or create, any workspace).
 */
export function createKeyAs(wh: Warehouse, by: Principal, input: { name: string; role: Role; workspace?: string }): Promise<CreatedKey> {
  const workspace = input.workspace ?? by.workspaceId;
  if (workspace !== by.workspaceId && !by.isRoot) throw errors.otherWorkspace('workspace');
  return createApiKey(wh, { workspace, role: input.role, name: input.name, createdBy: by.keyId });
}

/** The request header through which a root key acts in a workspace other than its own (the CLI's `--workspace`). */
export const WORKSPACE_HEADER = 'x-smsp-workspace';

/**
 * `by` acting in `workspace`: a key may name its own workspace, and only a root key another one (which
 * may not exist yet, as with `createKeyAs`); any other key is refused, so it never reaches another
 * workspace's data. `field` names the header in the error.
 */
export function actingIn(by: Principal, workspace: string, field: string): Principal {
  if (!WORKSPACE_ID.test(workspace)) throw errors.validation(`${field}: must be a workspace id (a-z, 0-9, _ and -, at most 63 characters)`, field);
  if (workspace === by.workspaceId) return by;
  if (!by.isRoot) throw errors.rootKeyWorkspace(field);
  return { ...by, workspaceId: workspace };
}

/** The caller a key belongs to, or null for an unknown or revoked key. */
export async function authenticate(wh: Warehouse, key: string): Promise<Principal | null> {
  if (key.length > MAX_KEY_LENGTH) return null;
  const hash = hashKey(key);
  const hit = cache.get(hash);
  if (hit && hit.until > Date.now()) return hit.principal;
  const [row] = await wh.query<KeyRow>(sql('keys/by-hash'), { key_hash: hash });
  // The lookup is by hash; comparing again in constant time keeps the check independent of the query.
  const valid = row && !Number(row.revoked) && crypto.timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(hash));
  const principal: Principal | null = valid ? { workspaceId: row.workspace_id, keyId: row.key_id, role: row.role, isRoot: Number(row.is_root) === 1 } : null;
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(hash, { principal, until: Date.now() + (principal ? CACHE_MS : 1000) });
  return principal;
}

/** The caller a workspace's key id stands for (a session's key), or null when the key is gone or revoked. */
export async function principalOfKey(wh: Warehouse, workspaceId: string, keyId: string): Promise<Principal | null> {
  // Cached beside the lookups by hash (a hash is hex, so the two never meet), and cleared with them on revocation.
  const cacheKey = `id:${workspaceId}:${keyId}`;
  const hit = cache.get(cacheKey);
  if (hit && hit.until > Date.now()) return hit.principal;
  const [row] = await wh.query<KeyRow>(sql('keys/latest'), workspaceParams(workspaceId, { key_id: keyId }));
  const principal =
    row && !Number(row.revoked) ? { workspaceId: row.workspace_id, keyId: row.key_id, role: row.role, isRoot: Number(row.is_root) === 1 } : null;
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, { principal, until: Date.now() + (principal ? CACHE_MS : 1000) });
  return principal;
}

export interface KeyInfo {
  key_id: string;
  name: string;
  role: Role;
  revoked: boolean;
}

/** The workspace's keys (never their secrets). */
export async function listApiKeys(wh: Warehouse, workspaceId: string): Promise<KeyInfo[]> {
  const rows = await wh.query<KeyRow>(sql('keys/of-workspace'), workspaceParams(workspaceId));
  return rows.map((r) => ({ key_id: r.key_id, name: r.name, role: r.role, revoked: Number(r.revoked) === 1 }));
}

/**
 * Revokes a key of the workspace; false when the workspace has no such key. Only a root key may
 * revoke a root key (otherwise any admin of `default` could lock everyone out of creating workspaces).
 */
export async function revokeApiKey(wh: Warehouse, workspaceId: string, keyId: string, by: Principal): Promise<boolean> {
  const [row] = await wh.query<KeyRow>(sql('keys/latest'), workspaceParams(workspaceId, { key_id: keyId }));
  if (!row || Number(row.revoked)) return false;
  if (Number(row.is_root) && !by.isRoot) throw errors.rootKeyOnly();
  const changedBy = by.keyId;
  await storeKey(wh, { ...row, version: Number(row.version) + 1, revoked: 1 }, changedBy);
  return true;
}

export interface BootstrapResult {
  /** Set only when a key was generated now: print it once. */
  generatedKey?: string;
  keyFile?: string;
  /** Root keys of `default` revoked now because ADMIN_API_KEY replaces them. */
  revokedRootKeys?: number;
}

/**
 * Makes sure workspace `default` has a root admin key. ADMIN_API_KEY, when set, is that key and the
 * only one: every other root key of `default` (an earlier ADMIN_API_KEY, the key generated on a start
 * without it) is revoked, and the generated key's file removed. Otherwise one is generated on first
 * start, returned to be printed once, and written to a 0600 file.
 */
export async function bootstrapAdminKey(wh: Warehouse, opts: { adminApiKey?: string; dataDir: string }): Promise<BootstrapResult> {
  const keyFile = path.join(opts.dataDir, 'admin-api-key');
  if (opts.adminApiKey) {
    if (opts.adminApiKey.length < MIN_ADMIN_KEY_LENGTH) throw new ConfigError(`ADMIN_API_KEY must be at least ${MIN_ADMIN_KEY_LENGTH} characters`);
    const hash = hashKey(opts.adminApiKey);
    const [known] = await wh.query<KeyRow>(sql('keys/by-hash'), { key_hash: hash });
    if (known && (known.workspace_id !== DEFAULT_WORKSPACE || !Number(known.is_root))) {
      throw new ConfigError('ADMIN_API_KEY is already the value of an ordinary API key: choose another value');
    }
    // The configured key works before any other root key is revoked.
    if (!known) {
      await createApiKey(wh, {
        workspace: DEFAULT_WORKSPACE,
        role: 'admin',
        name: ADMIN_KEY_NAME,
        createdBy: 'bootstrap',
        isRoot: true,
        key: opts.adminApiKey,
      });
    } else if (Number(known.revoked)) {
      // Set back to a key it replaced earlier: the configured key is the root key again.
      await storeKey(wh, { ...known, version: Number(known.version) + 1, revoked: 0 }, 'bootstrap');
    }
    const keys = await wh.query<KeyRow>(sql('keys/of-workspace'), workspaceParams(DEFAULT_WORKSPACE));
    const others = keys.filter((k) => Number(k.is_root) && !Number(k.revoked) && k.key_hash !== hash);
    for (const old of others) await storeKey(wh, { ...old, version: Number(old.version) + 1, revoked: 1 }, 'bootstrap');
    // A generated key left in the file no longer works.
    if (fs.existsSync(keyFile) && fs.readFileSync(keyFile, 'utf8').trim() !== opts.adminApiKey) fs.rmSync(keyFile);
    return others.length ? { revokedRootKeys: others.length } : {};
  }
  const [root] = await wh.query<{ n: number }>(sql('keys/root-count'));
  if (root && Number(root.n) > 0) return {};
  const created = await createApiKey(wh, { workspace: DEFAULT_WORKSPACE, role: 'admin', name: 'bootstrap admin', createdBy: 'bootstrap', isRoot: true });
  fs.mkdirSync(opts.dataDir, { recursive: true });
  fs.writeFileSync(keyFile, `${created.key}\n`, { mode: 0o600 });
  fs.chmodSync(keyFile, 0o600);
  return { generatedKey: created.key, keyFile };
}
