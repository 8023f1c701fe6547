/**
 * Analysts' SQL over their own workspace: the caller's role picks the snapshot (phones masked unless the role sees
 * them, access/pii-policy.ts), the snapshot is taken or refreshed as SnapshotStore.lease says, and the statement runs in the
 * locked-down DuckDB, at most SQL_MAX_CONCURRENT at once.
 */
import { fieldAccess } from '../access/pii-policy.ts';
import type { Role } from '../access/roles.ts';
import { errors } from '../common/errors.ts';
import type { SandboxLimits, SqlResult } from './sql-sandbox.ts';
import { runSandboxedQuery } from './sql-sandbox.ts';
import type { SnapshotManifest, SnapshotVariant } from './snapshot-layout.ts';
import type { SnapshotStore } from './snapshots.ts';
import type { QuerySlots } from './query-slots.ts';

/** Longest query text accepted. */
export const MAX_QUERY_LENGTH = 100_000;

/** Which snapshot a role reads: a role that may not see phone numbers never gets a file holding them. */
export const snapshotVariantFor = (role: Role): SnapshotVariant => (fieldAccess(role).seesPhones ? 'full' : 'masked');

export interface SnapshotSummary {
  variant: SnapshotVariant;
  /** When the snapshot was taken (null: none yet). */
  taken_at: string | null;
  seconds: number | null;
  tables: { name: string; rows: number }[];
}

export const summarizeSnapshot = (variant: SnapshotVariant, manifest: SnapshotManifest | undefined): SnapshotSummary => ({
  variant,
  taken_at: manifest?.taken_at ?? null,
  seconds: manifest?.seconds ?? null,
  tables: (manifest?.tables ?? []).map((t) => ({ name: t.name, rows: t.rows })),
});

/** Runs one analyst statement over the workspace's snapshot for `role`. */
export async function runAnalystQuery(
  store: SnapshotStore,
  slots: QuerySlots,
  workspaceId: string,
  role: Role,
  query: string,
  limits: SandboxLimits,
): Promise<{ result: SqlResult; snapshot: SnapshotSummary }> {
  if (!query.trim()) throw errors.invalid('query', 'must not be blank');
  if (query.length > MAX_QUERY_LENGTH) throw errors.invalid('query', `must be at most ${MAX_QUERY_LENGTH} characters`);
  const variant = snapshotVariantFor(role);
  const freeSlot = await slots.acquire(limits.timeLimitSeconds * 1000);
  try {
    const lease = await store.lease(workspaceId, variant);
    try {
      const result = await runSandboxedQuery(lease.dir, lease.manifest, query, limits);
      return { result, snapshot: summarizeSnapshot(variant, lease.manifest) };
    } finally {
      lease.release();
    }
  } finally {
    freeSlot();
  }
}
