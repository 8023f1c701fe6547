/** Publishes the ingest group's lag (end offset minus committed offset) per partition, every few seconds. */
import type { Admin } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { createKafka } from './kafka-client.ts';
import type { KafkaLogTarget } from './kafka-logger.ts';

export interface PartitionLag {
  partition: number;
  end: number;
  committed: number;
  lag: number;
}

/** Lag of the ingest group on the events topic now. */
export async function measureLag(admin: Admin, config: KafkaConfig): Promise<PartitionLag[]> {
  const [ends, [group]] = await Promise.all([
    admin.fetchTopicOffsets(config.eventsTopic),
    admin.fetchOffsets({ groupId: config.groupId, topics: [config.eventsTopic] }),
  ]);
  const committed = new Map((group?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  return ends.map((e) => {
    const end = Number(e.high);
    const c = Math.max(0, committed.get(e.partition) ?? 0);
    return { partition: e.partition, end, committed: c, lag: Math.max(0, end - c) };
  });
}

export function startLagMonitor(admin: Admin, config: KafkaConfig, metrics: IngestMetrics, everyMs = 5000): () => void {
  const tick = async () => {
    try {
      for (const p of await measureLag(admin, config)) metrics.lag.set({ topic: config.eventsTopic, partition: String(p.partition) }, p.lag);
    } catch {
      // A missed sample is fine; the next one comes soon.
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The ingest group's total lag, measured once with a short-lived admin client; gives up after `timeoutMs`. */
export async function totalLagNow(config: KafkaConfig, logger: KafkaLogTarget, timeoutMs = 5000): Promise<number> {
  const admin = createKafka(config, '-status', logger).admin();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Kafka did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const measured = (async () => {
      await admin.connect();
      return measureLag(admin, config);
    })();
    measured.catch(() => undefined); // a late failure after the timeout is not unhandled
    return (await Promise.race([measured, timeout])).reduce((sum, p) => sum + p.lag, 0);
  } finally {
    clearTimeout(timer);
    void admin.disconnect().catch(() => undefined);
  }
}
