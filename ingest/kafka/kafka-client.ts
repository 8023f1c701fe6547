/** One place that knows how to reach Kafka and which topics the platform uses. */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';

export function createKafka(config: KafkaConfig, clientSuffix = ''): Kafka {
  if (!config.brokers?.length) throw new Error('KAFKA_BROKERS is not set');
  return new Kafka({
    clientId: `${config.clientId}${clientSuffix}`,
    brokers: config.brokers,
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 },
  });
}

/** Bytes of messages per produce call: well under the broker's default 1 MiB record batch limit. */
const MAX_SEND_BYTES = 512 * 1024;

/** Splits messages into groups small enough for one produce call each. */
export function chunkMessages<M extends { value: Buffer | string | null; key?: Buffer | string | null }>(messages: readonly M[]): M[][] {
  const chunks: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = (m.value?.length ?? 0) + (m.key?.length ?? 0) + 64;
    if (current.length && bytes + size > MAX_SEND_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** Creates the events and dead-letter topics when missing. */
export async function ensureTopics(admin: Admin, config: KafkaConfig): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const topics = [config.eventsTopic, config.deadLetterTopic]
    .filter((t) => !existing.has(t))
    .map((topic) => ({ topic, numPartitions: config.partitions }));
  if (topics.length) await admin.createTopics({ topics, waitForLeaders: true });
}
