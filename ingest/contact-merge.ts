/**
 * The one contact merge path, used by the API's upsert and by file imports alike: rows are staged in
 * contact_import_rows under a batch id, merged over the stored profiles by one SQL statement
 * (sql/queries/imports/contacts-merged.sql states the precedence rules), kept in contact_import_pending,
 * then written to suppressions, tags and contacts by statements that give the same rows when run again.
 */
import { processLocks } from '../warehouse/keyed-mutex.ts';
import { sql } from '../warehouse/sql-files.ts';
import { formatTs } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { StagedContact } from './contact-schema.ts';
import { contactSql } from './contact-sql.ts';

// A type alias, not an interface: it doubles as the statements' query parameters.
export type BatchKey = {
  workspace: string;
  import_id: string;
};

export interface MergeCounts {
  /** Contacts the batch creates. */
  imported: number;
  /** Stored contacts it changes. */
  updated: number;
  /** Staged lines repeating an earlier line's key. */
  duplicates: number;
}

/** Where suppressions written by a batch say they came from. */
export interface SuppressionOrigin {
  source: string;
  note: string;
}

/**
 * A merge reads the stored profiles and writes new versions, so two at once could each miss the other's
 * fields: merges (from their read to their write) of one workspace run one after another in this process.
 * (Writers in several processes against one server would need a shared lock.)
 */
export function withContactMergeLock<T>(wh: Warehouse, workspaceId: string, task: () => Promise<T>): Promise<T> {
  return processLocks.run(`contacts:${wh.database}:${workspaceId}`, task);
}

/**
 * A merge or apply step runs over a whole file (up to the import's row limit): a batch job, not an interactive
 * read, so the interactive query limit (QUERY_TIMEOUT_SECONDS) does not bound it.
 */
const BATCH_STEP = { timeoutSeconds: 1800 };

/** Adds rows to a batch's staging table. */
export async function stageContacts(wh: Warehouse, key: BatchKey, rows: readonly StagedContact[]): Promise<void> {
  await wh.insert(
    'contact_import_rows',
    rows.map((row) => ({ workspace_id: key.workspace, import_id: key.import_id, ...row })),
  );
}

/** Merges a staged batch over the stored profiles (into contact_import_pending) and counts what it does. */
export async function mergeStaged(wh: Warehouse, key: BatchKey): Promise<MergeCounts> {
  await wh.command(contactSql('imports/merge'), key, { ...BATCH_STEP, settings: { join_use_nulls: 1 } });
  const [counts] = await wh.query<{ imported: string; updated: string; duplicates: string }>(sql('imports/contacts-counts'), key);
  return { imported: Number(counts?.imported ?? 0), updated: Number(counts?.updated ?? 0), duplicates: Number(counts?.duplicates ?? 0) };
}

/**
 * Writes a merged batch to suppressions, tags and contacts. Idempotent: running it again with the same
 * `appliedAtMs` writes the same rows. `afterStep` is told each step's name once it is done.
 */
export async function applyMerged(
  wh: Warehouse,
  key: BatchKey,
  appliedAtMs: number,
  origin: SuppressionOrigin,
  afterStep: (step: string) => void = () => {},
): Promise<void> {
  const params = { ...key, applied_at: formatTs(appliedAtMs) };
  for (const step of ['apply-suppressions', 'apply-tags', 'apply-contacts']) {
    await wh.command(contactSql(`imports/${step}`), step === 'apply-suppressions' ? { ...params, ...origin } : params, BATCH_STEP);
    afterStep(step);
  }
}

/** Drops a batch's staged and merged rows. */
export async function dropBatch(wh: Warehouse, key: BatchKey): Promise<void> {
  await wh.command(sql('imports/discard'), key);
  await wh.command(sql('imports/discard-merged'), key);
}
