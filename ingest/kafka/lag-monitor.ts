/** Publishes the ingest group's lag (end offset minus committed offset) per partition, every few seconds. */
import type { Admin } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';
import type { IngestMetrics } from './ingest-metrics.ts';

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
