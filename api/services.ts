/** What every route plugin is given: the configuration and the services it adapts to HTTP. */
import type { AppConfig } from '../config/config.ts';
import type { EventIntake } from '../ingest/event-intake.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { ApiMetrics } from './metrics.ts';

/** A background part (Kafka ingest, the intake) that /readyz waits for, besides the warehouse. */
export interface ReadinessProbe {
  readiness(): { ready: true } | { ready: false; reason: string };
}

export interface Services {
  config: AppConfig;
  warehouse: Warehouse;
  metrics: ApiMetrics;
  intake: EventIntake;
  readiness?: ReadinessProbe[];
}
