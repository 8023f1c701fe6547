/** Where validated events go: the warehouse's events table, deduplicated on write (event-store.ts). */
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { EventRow } from './event-schema.ts';
import { storeEvents } from './event-store.ts';

export interface EventSink {
  /** Stores the rows not stored yet (a retry stores nothing new); `batch` names the batch, for logs and tests. */
  insert(rows: readonly EventRow[], batch: string): Promise<void>;
}

export function warehouseEventSink(wh: Warehouse): EventSink {
  return {
    insert: async (rows) => {
      await storeEvents(wh, rows);
    },
  };
}
