/**
 * Accepts a batch of incoming events for one workspace: validates each alone, stores the good ones
 * synchronously, and reports the bad ones with their index and reason.
 */
import crypto from 'node:crypto';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { EventRow } from './event-schema.ts';
import { validateEvent } from './event-validation.ts';
import type { FieldError } from './schema-errors.ts';

/** An item that could not even be parsed (e.g. a malformed NDJSON line) carries its parse error. */
export class UnparsableItem {
  constructor(readonly reason: string) {}
}

export interface Rejection {
  index: number;
  error: FieldError;
}

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

/** Splits items into rows to store and rejections; repeats of an event_id inside the batch are stored once. */
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
    if (seen.has(result.row.event_id)) return;
    seen.add(result.row.event_id);
    rows.push(result.row);
    sources.push(item);
  });
  return { rows, sources, rejected, accepted };
}

/**
 * A token that is the same whenever the same rows are posted again, so a retried request is
 * dropped by ClickHouse's insert deduplication before it is stored twice.
 */
export function contentToken(prefix: string, rows: readonly EventRow[]): string {
  const hash = crypto.createHash('sha256');
  for (const row of rows) hash.update(JSON.stringify(row)).update('\n');
  return `${prefix}:${hash.digest('hex')}`;
}

/** Validates and stores events; when it resolves, accepted events are durable and queryable. */
export async function ingestEvents(wh: Warehouse, workspaceId: string, items: readonly unknown[]): Promise<IngestResult> {
  const { rows, rejected, accepted } = validateBatch(workspaceId, items);
  await wh.insert('events', rows, { dedupToken: contentToken('http', rows) });
  return { accepted, rejected };
}
