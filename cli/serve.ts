import pino from 'pino';
import { DEFAULT_WORKSPACE } from '../access/api-keys.ts';
import { startAlertScheduler } from '../analytics/alert-scheduler.ts';
import { buildApp } from '../api/app.ts';
import { listContacts } from '../ingest/contacts.ts';
import { diagnoseTemplate } from '../templates/diagnosis.ts';
import { warehouseIntake, type EventIntake } from '../ingest/event-intake.ts';
import { KafkaEventPublisher } from '../ingest/kafka/event-publisher.ts';
import { launchIngest, type RunningIngest } from '../ingest/kafka/ingest-service.ts';
import { computedTagSchedules } from '../segmentation/computed-tags.ts';
import { startJobScheduler } from '../segmentation/job-scheduler.ts';
import { segmentRefreshSource } from '../segmentation/segment-schedules.ts';
import { notifyRealtimeChanges } from '../segmentation/realtime-notices.ts';
import { startRealtimeWorker } from '../segmentation/realtime-worker.ts';
import { intFlag, stringFlag, UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { openPlatform } from './open.ts';
import { removeServerRecord, writeServerRecord } from './server-record.ts';
import { loadDemo } from './seed-demo.ts';

/**
 * `smsp serve`: migrate, bootstrap, optionally load demo data, then serve HTTP until SIGTERM/SIGINT.
 * With KAFKA_BROKERS, POST /v1/events produces to Kafka; --ingest also runs the ingest workers in
 * this process (the embedded engine allows one process per data directory). Kafka is reached in the
 * background: HTTP serves at once, and /readyz answers 503 naming what is not connected yet.
 */
export async function serveCommand(flags: Flags): Promise<void> {
  const port = intFlag(flags, 'port');
  const host = stringFlag(flags, 'host');
  const { config, warehouse } = await openPlatform({ ...(port !== undefined && { port }), ...(host !== undefined && { host }) });
  if (flags.ingest && !config.kafka.brokers) throw new UsageError('--ingest needs KAFKA_BROKERS');
  if (flags.demo) {
    const workspace = stringFlag(flags, 'workspace') ?? DEFAULT_WORKSPACE;
    const existing = await listContacts(warehouse, workspace, 1, '');
    if (existing.length === 0) await loadDemo(warehouse, flags);
  }
  const publisher = config.kafka.brokers ? KafkaEventPublisher.launch(config.kafka, pino({ level: config.logLevel })) : undefined;
  const intake: EventIntake = publisher ?? warehouseIntake(warehouse);
  let ingest: RunningIngest | undefined;
  const app = await buildApp({
    config,
    warehouse,
    intake,
    readiness: [{ readiness: () => ingest?.readiness() ?? { ready: true } }, ...(publisher ? [publisher] : [])],
  });
  if (flags.ingest) {
    ingest = launchIngest({ config: config.kafka, warehouse, registry: app.metrics.registry, logger: app.log, workers: intFlag(flags, 'workers') });
  }
  // Alert rules are evaluated every 5 minutes (POST /v1/alerts/evaluate runs them at once).
  const alerts = startAlertScheduler(
    warehouse,
    5 * 60_000,
    config.webhooks,
    (err) => app.log.warn({ err }, 'alert evaluation failed'),
    (ws, templateId, window) => diagnoseTemplate(warehouse, ws, templateId, window),
  );
  // Scheduled jobs (segment refreshes, computed tags) every SCHEDULER_INTERVAL_MS; 0 turns them off.
  const onScheduleError = (err: unknown) => app.log.warn({ err }, 'scheduled job failed');
  const refreshes = segmentRefreshSource({ webhooks: config.webhooks, onError: onScheduleError });
  const schedules = startJobScheduler(warehouse, [refreshes, computedTagSchedules], {
    everyMs: config.server.schedulerIntervalMs,
    onError: onScheduleError,
    onRunFinished: (run) => app.log.info({ run }, 'scheduled run finished'),
  });
  // Realtime segments' membership, every REALTIME_INTERVAL_MS (0: off); each pass's changes go to the segment's webhooks.
  const realtimeFailed = (err: unknown) => app.log.warn({ err }, 'realtime segment refresh failed');
  const realtime = config.realtime.intervalMs
    ? startRealtimeWorker(warehouse, {
        everyMs: config.realtime.intervalMs,
        sweepMs: config.realtime.sweepMs,
        onError: realtimeFailed,
        onChanges: (ws, segmentId, changes) => void notifyRealtimeChanges(warehouse, ws, segmentId, changes, config.webhooks, realtimeFailed),
      })
    : undefined;
  const stop = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await alerts.stop();
    await schedules.stop();
    await realtime?.stop();
    await app.close();
    await ingest?.stop();
    await intake.close();
    await warehouse.close();
    removeServerRecord(config.dataDir);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  const address = await app.listen({ host: config.server.host, port: config.server.port });
  writeServerRecord(config.dataDir, address);
  const modes = [`warehouse: ${warehouse.kind}`, `events via ${intake.mode}`, ...(ingest ? [`${ingest.workers.length} ingest worker(s)`] : [])];
  process.stderr.write(`SMS analytics platform listening on ${address} (${modes.join(', ')}); API docs at ${address}/docs\n`);
  // The first pass (the last 8 days) runs now, in the background: what happened before this start, such as the
  // demo's planted incident, is on the dashboard at once instead of after the first 5 minutes.
  void alerts.runNow().then((fired) => app.log.info({ fired }, 'alert rules evaluated over the last 8 days'));
  // Slots missed while the server was down run now, once per job (the latest missed slot).
  if (config.server.schedulerIntervalMs > 0) void schedules.tick().catch((err: unknown) => app.log.warn({ err }, 'scheduled jobs failed'));
}
