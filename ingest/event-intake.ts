/** How POST /v1/events hands events on: straight into the warehouse, or to Kafka for the ingest workers. */
import type { Warehouse } from '../warehouse/warehouse.ts';
import { ingestEvents, type IngestResult } from './event-writer.ts';

export interface EventIntake {
  readonly mode: 'warehouse' | 'kafka';
  /** Validates every item; when it resolves, the accepted ones are durable. */
  accept(workspaceId: string, items: readonly unknown[]): Promise<IngestResult>;
  close(): Promise<void>;
}

export function warehouseIntake(wh: Warehouse): EventIntake {
  return { mode: 'warehouse', accept: (ws, items) => ingestEvents(wh, ws, items), close: async () => {} };
}
