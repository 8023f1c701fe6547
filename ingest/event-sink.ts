/** Where validated events go: the warehouse's events table, deduplicated on write (event-store.ts). */
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { EventRow } from './event-schema.ts';
import { storeEvents } from './event-store.ts';

export interface EventSink {
  /** Stores the rows not stored yet; `dedupToken` names the batch (a retry of it stores nothing new). */
  insert(rows: readonly EventRow[], dedupToken: string): Promise<void>;
}

export function warehouseEventSink(wh: Warehouse): EventSink {
  return {
    insert: async (rows, dedupToken) => {
      await storeEvents(wh, rows, dedupToken);
    },
  };
}
