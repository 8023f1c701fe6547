/** One place that knows how to reach Kafka and which topics the platform uses. */
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';
import { kafkaLogCreator, type KafkaLogTarget } from './kafka-logger.ts';
import { chunkBySize } from '../../common/chunks.ts';

/** Backoff of every kafkajs retry: 0.2 s doubling to 10 s. */
const RETRY_TIMES = { initialRetryTime: 200, maxRetryTime: 10_000 };

/** A kafkajs client whose logs go to `logger` (pino), repeats collapsed. */
export function createKafka(config: KafkaConfig, clientSuffix: string, logger: KafkaLogTarget): Kafka {
  if (!config.brokers?.length) throw new Error('KAFKA_BROKERS is not set');
  return new Kafka({
    clientId: `${config.clientId}${clientSuffix}`,
    brokers: config.brokers,
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator(logger),
    // Connecting, admin calls and the consumer give up after ~30 s; their callers retry or restart.
    retry: { retries: 8, ...RETRY_TIMES },
  });
}

/**
 * An idempotent producer (acks=all, one request in flight). Its retries stay unlimited, as kafkajs
 * requires: a producer that gave up and had its batch sent again would send it under a new sequence
 * number, so the broker could no longer drop the copy (kafkajs warns "Limiting retries for the
 * idempotent producer may invalidate EoS guarantees"). Callers bound how long they wait instead.
 */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: Number.MAX_SAFE_INTEGER, ...RETRY_TIMES },
    // kafkajs's default, named so it does not warn about having changed it in 2.0.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** Bytes of messages per produce call: well under the broker's default 1 MiB record batch limit. */
const MAX_SEND_BYTES = 512 * 1024;

/** Splits messages into groups small enough for one produce call each. */
export function chunkMessages<M extends { value: Buffer | string | null; key?: Buffer | string | null }>(messages: readonly M[]): M[][] {
  return chunkBySize(messages, (m) => (m.value?.length ?? 0) + (m.key?.length ?? 0) + 64, MAX_SEND_BYTES);
}

/** Creates the events and dead-letter topics when missing. */
export async function ensureTopics(admin: Admin, config: KafkaConfig): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const topics = [config.eventsTopic, config.deadLetterTopic].filter((t) => !existing.has(t)).map((topic) => ({ topic, numPartitions: config.partitions }));
  if (topics.length) await admin.createTopics({ topics, waitForLeaders: true });
}
