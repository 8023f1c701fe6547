/**
 * Runs N ingest workers (one consumer group) in this process, with their metrics and lag monitor.
 * Kafka is reached in the background: launching never waits for (or fails on) the broker, and
 * readiness() says what is still missing.
 */
import type { Registry } from 'prom-client';
import type { KafkaConfig } from '../../config/config.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { warehouseEventSink, type EventSink } from '../event-sink.ts';
import { createIngestMetrics } from './ingest-metrics.ts';
import { IngestWorker, type WorkerLogger } from './ingest-worker.ts';
import { createKafka, ensureTopics } from './kafka-client.ts';
import { startLagMonitor } from './lag-monitor.ts';
import { failureText, retryWithBackoff } from './retry-with-backoff.ts';

export type Readiness = { ready: true } | { ready: false; reason: string };

export interface RunningIngest {
  workers: IngestWorker[];
  /** Resolves when every worker has joined the consumer group (the first time); rejects if stopped before. */
  joined: Promise<void>;
  /** Ready once the topics exist and every worker is in the group; otherwise the reason. */
  readiness(): Readiness;
  /** Finishes every worker's batch in hand, commits, leaves the group. */
  stop(): Promise<void>;
}

export interface IngestOptions {
  config: KafkaConfig;
  warehouse: Warehouse;
  registry: Registry;
  logger: WorkerLogger;
  workers?: number;
  sink?: EventSink;
}

/** Starts the workers in the background and returns at once; they keep retrying until Kafka answers. */
export function launchIngest(opts: IngestOptions): RunningIngest {
  const { config, logger } = opts;
  const kafka = createKafka(config, '-ingest', logger);
  const admin = kafka.admin();
  const metrics = createIngestMetrics(opts.registry);
  const sink = opts.sink ?? warehouseEventSink(opts.warehouse);
  const workers = Array.from(
    { length: opts.workers ?? config.workers },
    (_, i) => new IngestWorker({ kafka, config, sink, metrics, logger, name: `worker-${i + 1}` }),
  );
  const stopped = new AbortController();
  let topicsReady = false;
  let notReady = 'connecting to Kafka';
  let stopLag = () => {};

  const topicsCreated = retryWithBackoff(
    async () => {
      await admin.connect();
      await ensureTopics(admin, config);
    },
    {
      signal: stopped.signal,
      maxDelayMs: 15_000,
      onFailure: (err, attempt, delayMs) => {
        notReady = `cannot reach Kafka (attempt ${attempt}: ${failureText(err)})`;
        logger.warn({ attempt, retryInMs: delayMs, reason: failureText(err) }, 'ingest cannot reach Kafka; retrying');
      },
    },
  );
  const running = topicsCreated.then(async (created) => {
    if (!created || stopped.signal.aborted) return;
    topicsReady = true;
    stopLag = startLagMonitor(admin, config, metrics);
    await Promise.all(workers.map((w) => w.keepStarting()));
  });
  const stoppedEarly = new Promise<never>((_, reject) =>
    stopped.signal.addEventListener('abort', () => reject(new Error('ingest stopped before joining the group'))),
  );
  const joined = Promise.race([Promise.all(workers.map((w) => w.firstJoin)).then(() => undefined), stoppedEarly]);
  joined.catch(() => undefined);

  return {
    workers,
    joined,
    readiness() {
      if (stopped.signal.aborted) return { ready: false, reason: 'ingest is stopping' };
      if (!topicsReady) return { ready: false, reason: `ingest not ready: ${notReady}` };
      const waiting = workers.map((w) => w.readiness()).filter((r) => !r.ready);
      if (waiting.length) return { ready: false, reason: `ingest not ready: ${waiting.map((r) => r.reason).join('; ')}` };
      return { ready: true };
    },
    async stop() {
      stopped.abort();
      stopLag();
      void running.catch(() => undefined);
      await Promise.all(workers.map((w) => w.stop()));
      await admin.disconnect();
    },
  };
}

/** Starts the workers and resolves once all of them have joined the group (tests, `smsp ingest`). */
export async function startIngest(opts: IngestOptions): Promise<RunningIngest> {
  const ingest = launchIngest(opts);
  await ingest.joined;
  return ingest;
}
