/** Runs N ingest workers (one consumer group) in this process, with their metrics and lag monitor. */
import type { Registry } from 'prom-client';
import type { KafkaConfig } from '../../config/config.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { warehouseEventSink, type EventSink } from '../event-sink.ts';
import { createIngestMetrics } from './ingest-metrics.ts';
import { IngestWorker, type WorkerLogger } from './ingest-worker.ts';
import { createKafka, ensureTopics } from './kafka-client.ts';
import { startLagMonitor } from './lag-monitor.ts';

export interface RunningIngest {
  workers: IngestWorker[];
  /** Finishes every worker's batch in hand, commits, leaves the group. */
  stop(): Promise<void>;
}

export async function startIngest(opts: {
  config: KafkaConfig;
  warehouse: Warehouse;
  registry: Registry;
  logger: WorkerLogger;
  workers?: number;
  sink?: EventSink;
}): Promise<RunningIngest> {
  const { config } = opts;
  const kafka = createKafka(config, '-ingest');
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, config);
  const metrics = createIngestMetrics(opts.registry);
  const sink = opts.sink ?? warehouseEventSink(opts.warehouse);
  const workers = Array.from({ length: opts.workers ?? config.workers }, (_, i) => new IngestWorker({ kafka, config, sink, metrics, logger: opts.logger, name: `worker-${i + 1}` }));
  await Promise.all(workers.map((w) => w.start()));
  const stopLag = startLagMonitor(admin, config, metrics);
  return {
    workers,
    async stop() {
      stopLag();
      await Promise.all(workers.map((w) => w.stop()));
      await admin.disconnect();
    },
  };
}
