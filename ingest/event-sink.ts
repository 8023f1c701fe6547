/** Where validated events go: the warehouse's events table, one idempotent insert per batch. */
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { EventRow } from './event-schema.ts';

export interface EventSink {
  /** Stores rows; the same token again is a retry and stores nothing new. */
  insert(rows: readonly EventRow[], dedupToken: string): Promise<void>;
}

export function warehouseEventSink(wh: Warehouse): EventSink {
  return { insert: (rows, dedupToken) => wh.insert('events', rows, { dedupToken }) };
}
