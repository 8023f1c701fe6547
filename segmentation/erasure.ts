/**
 * Erasure on a person's request (PIPL, GDPR). The person's profile, tags, audience memberships of every version,
 * staged import rows, RFM scores and cluster assignments are deleted; their events stay (analytics keep their
 * counts) with the user id and phone replaced by a one-way hash and free-form properties blanked; the daily
 * rollups are re-keyed to the same hash, so historical counts do not change. Their suppression stays, as hashes,
 * so audiences never include them again; the erasure is logged with those hashes, never the identifiers.
 *
 * The hash is `sha256:` + hex SHA-256 of `<workspace id>:<value>` (a normalized phone or a user id): the same
 * value gives the same hash in one workspace and a different one in another. SQL computes it the same way.
 *
 * Every change is a synchronous mutation (`mutations_sync = 2`), so a read right after never shows the person,
 * and rewrites the affected parts, so the raw values leave the stored data rather than being hidden.
 */
import crypto from 'node:crypto';
import { errors } from '../common/errors.ts';
import { withContactMergeLock } from '../ingest/contact-merge.ts';
import { localTable, onCluster } from '../warehouse/cluster-ddl.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql, sqlWithGenerated } from '../warehouse/sql-files.ts';
import { formatTs, nextVersion } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

/** One erasure as the log keeps it. */
export interface ErasureRecord {
  erasure_id: string;
  erased_at: string;
  erased_by: string;
  user_hash: string;
  phone_hashes: string[];
  contacts_removed: number;
  events_pseudonymized: number;
}

/** The one-way hash an erased identifier becomes in `workspaceId` (as sql/queries/erasure/*.sql computes it). */
export function erasureHash(workspaceId: string, value: string): string {
  return `sha256:${crypto.createHash('sha256').update(`${workspaceId}:${value}`, 'utf8').digest('hex')}`;
}

/** Tables whose rows of the person are deleted, and the statement that matches them. */
const DELETIONS: readonly (readonly [table: string, statement: string])[] = [
  ['tags', 'erasure/delete-users'],
  ['rfm_scores', 'erasure/delete-users'],
  ['cluster_assignments', 'erasure/delete-users'],
  ['audience_members', 'erasure/delete-people'],
  ['contact_import_rows', 'erasure/delete-staged-imports'],
  ['contact_import_pending', 'erasure/delete-people'],
  ['suppressions', 'erasure/delete-people'],
  ['realtime_members', 'erasure/delete-units'],
  ['realtime_changes', 'erasure/delete-units'],
];

const ROLLUPS = [
  ['contact_daily', 'erasure/rekey-contact-daily'],
  ['contact_daily_dims', 'erasure/rekey-contact-daily-dims'],
] as const;

const SYNC = { settings: { mutations_sync: 2 } };

/** Runs an ALTER ... DELETE/UPDATE statement on the table holding the rows, waiting until it is applied. */
async function mutate(wh: Warehouse, statement: string, table: string, params: Record<string, unknown>): Promise<void> {
  await wh.command(sqlWithGenerated(statement, { table: localTable(wh, table), on_cluster: onCluster(wh) }), params, SYNC);
}

/** Every user id and phone the person is known by, and how many profiles they have; nothing found: no rows. */
async function identifiersOf(wh: Warehouse, workspaceId: string, userId: string) {
  const userIds = new Set([userId]);
  const phones = new Set<string>();
  const profiles = new Set<string>();
  let found = 0;
  // Twice: the second round finds the profiles that carry a phone of the first (a number-list contact).
  for (let round = 0; round < 2; round++) {
    const rows = await wh.query<{ source: string; user_id: string; phone: string }>(
      sql('erasure/identifiers'),
      workspaceParams(workspaceId, { ids: [...userIds, ...phones] }),
    );
    found += rows.length;
    for (const r of rows) {
      if (r.user_id) userIds.add(r.user_id);
      if (r.phone) phones.add(r.phone);
      if (r.source === 'contact') profiles.add(r.user_id);
    }
  }
  return { userIds, phones, contacts: profiles.size, found };
}

/** Hashed suppression entries for every identifier, stored before anything raw is removed. */
async function suppressHashed(wh: Warehouse, workspaceId: string, erasureId: string, userIds: Set<string>, phones: Set<string>): Promise<void> {
  const now = formatTs(Date.now());
  const entry = (phone: string, user_id: string) => ({
    workspace_id: workspaceId,
    reason: 'blacklist',
    phone,
    user_id,
    source: 'erasure',
    note: erasureId,
    created_at: now,
    version: nextVersion(),
    is_deleted: 0,
  });
  await wh.insert('suppressions', [
    ...[...userIds].map((u) => entry('', erasureHash(workspaceId, u))),
    ...[...phones].map((p) => entry(erasureHash(workspaceId, p), '')),
  ]);
}

/** Moves a daily rollup's rows from the raw identifiers to their hashes, counts unchanged. */
async function rekeyRollup(wh: Warehouse, table: string, statement: string, params: Record<string, unknown>, erasureKey: string): Promise<void> {
  const [found] = await wh.query<{ rows: string; events: string }>(sqlWithGenerated('erasure/rollup-rows', { table }), params);
  if (!found || Number(found.rows) === 0) return;
  // Named by what it moves: a re-run after a crash between this insert and the delete stores nothing twice.
  const token = `erasure-${erasureKey}-${table}-${found.rows}-${found.events}`;
  await wh.command(sql(statement), params, { settings: { insert_deduplication_token: token, async_insert: 0 } });
  await mutate(wh, 'erasure/delete-rollup-units', table, params);
}

/**
 * Erases the person `userId` of `workspaceId` at the request of `by` (a key id, or `cli`). A user id the
 * workspace knows neither as a profile nor from events is NOT_FOUND (so is a person already erased, and
 * another workspace's person: they answer alike).
 */
export async function eraseContact(wh: Warehouse, workspaceId: string, userId: string, by: string): Promise<ErasureRecord> {
  return withContactMergeLock(wh, workspaceId, async () => {
    const { userIds, phones, contacts, found } = await identifiersOf(wh, workspaceId, userId);
    if (found === 0) {
      // Known only as the phone of anonymous events (a number list's user id is its phone)?
      const [events] = await wh.query<{ n: string }>(sql('erasure/count-events'), workspaceParams(workspaceId, { identifiers: [userId] }));
      if (!events || Number(events.n) === 0) throw errors.notFound(`contact ${userId}`);
    }
    const now = Date.now();
    const userHash = erasureHash(workspaceId, userId);
    const erasureId = `er_${new Date(now).toISOString().replace(/[-:.]/g, '')}_${crypto.randomBytes(4).toString('hex')}`;
    const params = workspaceParams(workspaceId, { identifiers: [...userIds, ...phones] });

    await suppressHashed(wh, workspaceId, erasureId, userIds, phones);
    for (const [table, statement] of ROLLUPS) await rekeyRollup(wh, table, statement, params, userHash.slice(7, 23));
    const [events] = await wh.query<{ n: string }>(sql('erasure/count-events'), params);
    await mutate(wh, 'erasure/pseudonymize-events', 'events', params);
    for (const [table, statement] of DELETIONS) await mutate(wh, statement, table, params);

    const record: ErasureRecord = {
      erasure_id: erasureId,
      erased_at: formatTs(now),
      erased_by: by,
      user_hash: userHash,
      phone_hashes: [...phones].map((p) => erasureHash(workspaceId, p)).sort(),
      contacts_removed: contacts,
      events_pseudonymized: Number(events?.n ?? 0),
    };
    await wh.insert('erasures', [{ workspace_id: workspaceId, ...record }]);
    // The profile last: until it is gone, a re-run after a crash finds the person and finishes the erasure.
    await mutate(wh, 'erasure/delete-people', 'contacts', params);
    return record;
  });
}

/** A page of the workspace's erasure log, oldest first, after `after` (an erasure id). */
export async function listErasures(wh: Warehouse, workspaceId: string, limit: number, after: string): Promise<ErasureRecord[]> {
  const rows = await wh.query<ErasureRecord>(sql('erasure/log-page'), workspaceParams(workspaceId, { limit, after }));
  return rows.map((r) => ({ ...r, contacts_removed: Number(r.contacts_removed), events_pseudonymized: Number(r.events_pseudonymized) }));
}
