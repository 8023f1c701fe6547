/**
 * The one way events enter the warehouse, deduplicated on write: each batch is looked up in the stored
 * events and only events not stored yet are inserted, so every read is exact without FINAL and the rollups
 * that views build on insert never count an event twice.
 *
 * An event is (workspace, type, event_id) and is looked up on the UTC day of its ts: a primary-key read, cheap
 * because live traffic lands on the last few days. Exact under:
 *  - replays and re-posts (they carry the event's time): the stored event is found and the copy dropped;
 *  - retries after a crash: the check reads the events table itself, so an insert that was cut short
 *    (some partitions stored, some not) is completed, not repeated;
 *  - concurrent writers in one process: check and insert run under a lock per workspace. The embedded
 *    engine allows one process per data directory, so that covers every writer of an embedded install;
 *    against a server, writers in several processes must not ingest the same event ids at the same time.
 * Not caught: a copy re-dated to another UTC day (another ts) is stored as a second event.
 */
import { chunkBySize } from '../common/chunks.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { processLocks } from '../warehouse/keyed-mutex.ts';
import { SharedExclusiveLock } from '../warehouse/shared-exclusive-lock.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { EventRow } from './event-schema.ts';

export interface StoreResult {
  /** Events inserted now. */
  stored: number;
  /** Events of the batch already stored before (or repeated within the batch). */
  duplicates: number;
}

/**
 * URL-encoded characters of parameters per lookup: they travel in the request URL to a server (ClickHouse
 * accepts 1 MiB by default); a batch of 10,000 typical ids is one lookup.
 */
const LOOKUP_URL_CHARS = 400_000;

/** Runs of rows whose parameters stay under LOOKUP_URL_CHARS (the id, its type and day, and separators). */
const lookupChunks = (rows: readonly EventRow[]) => chunkBySize(rows, (row) => encodeURIComponent(row.event_id).length + 30, LOOKUP_URL_CHARS);

const identity = (row: Pick<EventRow, 'type' | 'event_id'>) => `${row.type}\u0000${row.event_id}`;

async function storedIdentities(wh: Warehouse, workspaceId: string, rows: readonly EventRow[]): Promise<Set<string>> {
  const stored = new Set<string>();
  for (const chunk of lookupChunks(rows)) {
    const found = await wh.query<{ event_type: string; event_id: string }>(
      sql('events/stored-copies'),
      workspaceParams(workspaceId, { ids: chunk.map((r) => r.event_id), types: chunk.map((r) => r.type), days: chunk.map((r) => r.ts.slice(0, 10)) }),
    );
    for (const row of found) stored.add(identity({ type: row.event_type, event_id: row.event_id }));
  }
  return stored;
}

/** Runs `task` holding the locks of every key, taken in sorted order so that two callers never deadlock. */
function withLocks<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
  const [first, ...rest] = [...keys].sort();
  if (first === undefined) return task();
  return processLocks.run(first, () => withLocks(rest, task));
}

/**
 * Runs `task`, which checks and writes events of these workspaces by itself (an INSERT ... SELECT that
 * leaves out stored ids), while no other writer of this process writes events of them.
 */
export function withEventWriteLock<T>(wh: Warehouse, workspaceIds: readonly string[], task: () => Promise<T>): Promise<T> {
  return eventWriteGate(wh).shared(() =>
    withLocks(
      [...new Set(workspaceIds)].map((ws) => `events:${wh.database}:${ws}`),
      task,
    ),
  );
}

/** Per database: every event writer of this process shares its gate; withEventWritesPaused takes it alone. */
const gates = new Map<string, SharedExclusiveLock>();
function eventWriteGate(wh: Warehouse): SharedExclusiveLock {
  let gate = gates.get(wh.database);
  if (!gate) gates.set(wh.database, (gate = new SharedExclusiveLock()));
  return gate;
}

/**
 * Runs `task` while no writer of this process stores events in this database: writes in flight finish first,
 * and writes that arrive meanwhile wait until it is done (nothing is refused or lost).
 */
export function withEventWritesPaused<T>(wh: Warehouse, task: () => Promise<T>): Promise<T> {
  return eventWriteGate(wh).alone(task);
}

/** True while a pause runs or waits for writes in flight: a caller can refuse a second one rather than queue behind it. */
export const eventWritesPaused = (wh: Warehouse): boolean => eventWriteGate(wh).heldExclusively;

/**
 * Stores the events of `rows` that are not stored yet. The insert carries no deduplication token on purpose:
 * the check above is the deduplication, and a token could only make ClickHouse drop a block whose events the
 * check has just seen missing (a retry after a kill that ClickHouse logged as written but did not keep).
 */
export async function storeEvents(wh: Warehouse, rows: readonly EventRow[]): Promise<StoreResult> {
  const byWorkspace = new Map<string, EventRow[]>();
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.workspace_id}\u0000${identity(row)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = byWorkspace.get(row.workspace_id) ?? [];
    if (list.length === 0) byWorkspace.set(row.workspace_id, list);
    list.push(row);
  }
  return withEventWriteLock(wh, [...byWorkspace.keys()], async () => {
    const fresh: EventRow[] = [];
    for (const [workspaceId, list] of byWorkspace) {
      const stored = await storedIdentities(wh, workspaceId, list);
      for (const row of list) if (!stored.has(identity(row))) fresh.push(row);
    }
    await wh.insert('events', fresh);
    return { stored: fresh.length, duplicates: rows.length - fresh.length };
  });
}
