/**
 * Contact profiles. A post merges the given fields over the stored profile (absent fields keep their
 * value) and writes a new version; the newest version wins. Opting out suppresses the number. The merge
 * is the import's (contact-merge.ts): posted contacts are staged as a batch and merged in SQL.
 */
import crypto from 'node:crypto';
import { Compile } from 'typebox/compile';
import { sql } from '../warehouse/sql-files.ts';
import { nextVersion } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { applyMerged, dropBatch, mergeStaged, stageContacts, withContactMergeLock, type BatchKey } from './contact-merge.ts';
import { ContactSchema, contactFieldEntries, emptyStagedContact, type ContactRow, type StagedContact } from './contact-schema.ts';
import { UnparsableItem, type Rejection } from '../common/list-items.ts';
import { describeSchemaErrors, illFormedStringError } from '../common/schema-errors.ts';

const checkContact = Compile(ContactSchema);

export interface UpsertResult {
  created: number;
  updated: number;
  rejected: Rejection[];
}

/** A posted item → its staged row, or the rejection for its index. */
function stagePosted(item: unknown, index: number): StagedContact | Rejection {
  if (item instanceof UnparsableItem) return { index, error: { message: item.reason } };
  const illFormed = illFormedStringError(item);
  if (illFormed) return { index, error: illFormed };
  if (!checkContact.Check(item)) return { index, error: describeSchemaErrors([...checkContact.Errors(item)]) };
  const given = item as Record<string, unknown>;
  const row = emptyStagedContact(index);
  const fields = row as unknown as Record<string, unknown>;
  for (const [name, spec] of contactFieldEntries()) {
    if (given[name] === undefined) continue;
    const parsed = spec.fromInput(given[name]);
    if (!parsed.ok) return { index, error: { field: name, message: `${name}: ${parsed.why}` } };
    fields[name] = parsed.value;
  }
  row.key = row.user_id!;
  return row;
}

/**
 * Posts of one user in one body apply in order, each over the previous: the k-th post of every user goes
 * into the k-th batch (the merge takes one row per user and batch).
 */
function batchesOfRepeats(rows: readonly StagedContact[]): StagedContact[][] {
  const batches: StagedContact[][] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    const k = seen.get(row.key) ?? 0;
    seen.set(row.key, k + 1);
    (batches[k] ??= []).push(row);
  }
  return batches;
}

/** Validates and merges contacts into their stored profiles; returns what was created, updated and refused. */
export async function upsertContacts(wh: Warehouse, workspaceId: string, items: readonly unknown[]): Promise<UpsertResult> {
  const rejected: Rejection[] = [];
  const rows: StagedContact[] = [];
  items.forEach((item, index) => {
    const staged = stagePosted(item, index);
    if ('error' in staged) rejected.push(staged);
    else rows.push(staged);
  });
  const result: UpsertResult = { created: 0, updated: 0, rejected };
  await withContactMergeLock(wh, workspaceId, async () => {
    for (const [i, batch] of batchesOfRepeats(rows).entries()) {
      const key: BatchKey = { workspace: workspaceId, import_id: `api-${crypto.randomUUID()}` };
      try {
        await stageContacts(wh, key, batch);
        const counts = await mergeStaged(wh, key);
        // Every user is in the first batch: it alone says who was new.
        if (i === 0) Object.assign(result, { created: counts.imported, updated: counts.updated });
        // In microseconds, strictly increasing in this process; the merge adds 1 ms past the stored version anyway.
        await applyMerged(wh, key, Math.floor(nextVersion() / 1000), { source: 'contact', note: 'consent opted_out' });
      } finally {
        await dropBatch(wh, key);
      }
    }
  });
  return result;
}

/** Stored profiles of these users, newest version each. */
export async function findContacts(wh: Warehouse, workspaceId: string, userIds: readonly string[]): Promise<ContactRow[]> {
  if (userIds.length === 0) return [];
  return wh.query<ContactRow>(sql('contacts/by-user-ids'), { workspace: workspaceId, user_ids: userIds });
}

/** Up to `limit` contacts in user_id order after the user_id `after` (keyset pagination). */
export function listContacts(wh: Warehouse, workspaceId: string, limit: number, after: string): Promise<ContactRow[]> {
  return wh.query<ContactRow>(sql('contacts/page'), { workspace: workspaceId, after, limit });
}
