/**
 * Exact version allocation across processes (several API processes on one ClickHouse server): a
 * version number of an object is claimed once in `version_claims` before it is written. The claim is
 * deduplicated by a token naming the number, so only the first racer's row is stored; every racer
 * then reads back the winner (the earliest stored claim) and only the winner may write the version.
 */
import crypto from 'node:crypto';
import { errors, isAppError } from '../common/errors.ts';
import { sql } from './sql-files.ts';
import { formatVersionTs, nextVersion } from './time.ts';
import type { Warehouse } from './warehouse.ts';

export interface ClaimKey {
  /** What kind of object is versioned, e.g. the metadata table's name or 'audience_snapshot'. */
  type: string;
  workspace: string;
  id: string;
}

/** Another writer already took this version: the write was based on a stale read and is refused (VERSION_CONFLICT). */
export const versionConflict = (key: ClaimKey, version: number) => errors.versionConflict(`${key.type.replace(/s$/, '')} ${key.id}`, version);

/** True for the refusal above. */
export const isVersionConflict = (err: unknown): boolean => isAppError(err, 'VERSION_CONFLICT');

const params = (key: ClaimKey) => ({ workspace: key.workspace, type: key.type, id: key.id });

/** The highest version ever claimed for the object (0 when none). */
export async function highestClaim(wh: Warehouse, key: ClaimKey): Promise<number> {
  const [row] = await wh.query<{ version: number }>(sql('metadata/claim-highest'), params(key));
  return Number(row?.version ?? 0);
}

/** Claims `version` for this writer, or throws VERSION_CONFLICT when another writer has it. */
export async function claimVersion(wh: Warehouse, key: ClaimKey, version: number, writeId: string = crypto.randomUUID()): Promise<string> {
  // Hex of a hash: the token must be safe to render into the SETTINGS clause whatever the ids hold.
  const token = crypto
    .createHash('sha256')
    .update(JSON.stringify(['claim', key.type, key.workspace, key.id, version]))
    .digest('hex');
  // claimed_at from the app's version clock (not the engine's now64), the one clock that orders writes.
  const claimedAt = formatVersionTs(nextVersion());
  await wh.insert(
    'version_claims',
    [{ workspace_id: key.workspace, object_type: key.type, object_id: key.id, version, write_id: writeId, claimed_at: claimedAt }],
    {
      dedupToken: token,
    },
  );
  const [winner] = await wh.query<{ write_id: string }>(sql('metadata/claim-winner'), { ...params(key), version });
  if (winner?.write_id !== writeId) throw versionConflict(key, version);
  return writeId;
}

/**
 * Claims the next free version after `newest` (and after every claim) for a run whose output is keyed by
 * that number (an audience snapshot, an experiment's allocation): the rows of that number are its alone.
 * Another process may claim the same number first: then the next one is tried.
 */
export async function claimNextVersion(wh: Warehouse, key: ClaimKey, newest: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const version = Math.max(newest, await highestClaim(wh, key)) + 1;
    try {
      await claimVersion(wh, key, version);
      return version;
    } catch (err) {
      if (!isVersionConflict(err)) throw err;
    }
  }
  throw versionConflict(key, newest + 1);
}
