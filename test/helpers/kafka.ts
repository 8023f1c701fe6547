/** Kafka for tests: the real broker `npm test` starts, with topics and groups unique to each test. */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';
import { loadConfig } from '../../config/config.ts';
import { chunkMessages } from '../../ingest/kafka/kafka-client.ts';
import { WORKSPACE_HEADER } from '../../ingest/kafka/message-pipeline.ts';
import { FIXTURE_YEAR } from './fixture-time.ts';

export function kafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests with `npm test`, which starts a broker');
  return brokers.split(',');
}

let counter = 0;
/** A Kafka configuration with its own topics and consumer group. */
export function kafkaTestConfig(name: string, env: NodeJS.ProcessEnv = {}): KafkaConfig {
  const id = `${name}_${process.pid}_${++counter}`;
  return loadConfig({
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_EVENTS_TOPIC: `events_${id}`,
    KAFKA_DEAD_LETTER_TOPIC: `dlq_${id}`,
    KAFKA_GROUP_ID: `group_${id}`,
    KAFKA_PARTITIONS: '4',
    INGEST_BATCH_WAIT_MS: '200',
    // The broker's minimum: a killed worker's partitions move on quickly.
    INGEST_SESSION_TIMEOUT_MS: '6000',
    ...env,
  }).kafka;
}

export function testKafka(): Kafka {
  return new Kafka({ clientId: 'test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
}

/** Produces raw messages (value bytes and headers as given), in chunks. */
export async function produceRaw(
  kafka: Kafka,
  topic: string,
  messages: { key?: string; value: string | Buffer; headers?: Record<string, string> }[],
): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (const chunk of chunkMessages(messages)) await producer.send({ topic, acks: -1, messages: chunk });
  } finally {
    await producer.disconnect();
  }
}

/** Produces events as JSON with the workspace header. */
export function produceEvents(kafka: Kafka, topic: string, workspace: string, events: object[]): Promise<void> {
  return produceRaw(
    kafka,
    topic,
    events.map((e) => ({ key: (e as { event_id: string }).event_id, value: JSON.stringify(e), headers: { [WORKSPACE_HEADER]: workspace } })),
  );
}

/** Polls until check() is true, or fails after timeoutMs. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Reads every message of a topic from the beginning (a fresh group), up to `expected` messages. */
export async function readTopic(kafka: Kafka, topic: string, expected: number, timeoutMs = 30_000) {
  const consumer = kafka.consumer({ groupId: `reader_${topic}_${Date.now()}` });
  const seen: { value: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(Array.isArray(v) ? v[0] : v);
      seen.push({ value: message.value?.toString() ?? '', headers });
    },
  });
  try {
    await waitFor(`${expected} messages on ${topic}`, async () => seen.length >= expected, timeoutMs);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** A sendable event with a deterministic id. */
export function kafkaEvent(i: number, prefix = 'k') {
  return {
    event_id: `${prefix}${String(i).padStart(8, '0')}`,
    type: i % 3 === 0 ? 'delivery' : 'send',
    ts: Date.parse(`${FIXTURE_YEAR}-11-20T00:00:00Z`) + i * 1000,
    user_id: `u${i % 5000}`,
    phone: `+86138${String(i % 100_000_000).padStart(8, '0')}`,
    campaign_id: `c${i % 7}`,
    ...(i % 3 === 0 ? { status: 'delivered' } : {}),
  };
}
