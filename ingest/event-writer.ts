/**
 * Accepts a batch of incoming events for one workspace: validates each alone, stores the good ones
 * synchronously, and reports the bad ones with their index and reason.
 */
import { UnparsableItem, type Rejection } from '../common/list-items.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { EventRow } from './event-schema.ts';
import { storeEvents } from './event-store.ts';
import { validateEvent } from './event-validation.ts';

export interface IngestResult {
  accepted: number;
  rejected: Rejection[];
}

export interface ValidatedBatch {
  rows: EventRow[];
  /** The posted object behind each row, in the same order. */
  sources: unknown[];
  rejected: Rejection[];
}

/** Splits items into rows to store and rejections; repeats of an event (type and id) inside the batch are stored once. */
export function validateBatch(workspaceId: string, items: readonly unknown[], nowMs = Date.now()): ValidatedBatch & { accepted: number } {
  const rows: EventRow[] = [];
  const sources: unknown[] = [];
  const rejected: Rejection[] = [];
  const seen = new Set<string>();
  let accepted = 0;
  items.forEach((item, index) => {
    if (item instanceof UnparsableItem) {
      rejected.push({ index, error: { message: item.reason } });
      return;
    }
    const result = validateEvent(workspaceId, item, nowMs);
    if (!result.ok) {
      rejected.push({ index, error: result.error });
      return;
    }
    accepted++;
    const key = `${result.row.type}\u0000${result.row.event_id}`;
    if (seen.has(key)) return;
    seen.add(key);
    rows.push(result.row);
    sources.push(item);
  });
  return { rows, sources, rejected, accepted };
}

/** Validates and stores events; when it resolves, accepted events are durable and queryable. */
export async function ingestEvents(wh: Warehouse, workspaceId: string, items: readonly unknown[]): Promise<IngestResult> {
  const { rows, rejected, accepted } = validateBatch(workspaceId, items);
  await storeEvents(wh, rows);
  return { accepted, rejected };
}
