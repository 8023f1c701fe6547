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

/** Creates the events and dead-letter topics when missing. */
export async function ensureTopics(admin: Admin, config: KafkaConfig): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const topics = [config.eventsTopic, config.deadLetterTopic]
    .filter((t) => !existing.has(t))
    .map((topic) => ({ topic, numPartitions: config.partitions }));
  if (topics.length) await admin.createTopics({ topics, waitForLeaders: true });
}
