/**
 * HTTP ingest through Kafka: events are validated here for an immediate answer, then produced with
 * acks=all by an idempotent producer; 202 therefore still means durable (in Kafka), and the ingest
 * workers store them (validating again with the same code).
 *
 * The producer connects in the background (the API serves while Kafka is away). A request waits up to
 * PUBLISH_TIMEOUT_MS for the first connection attempt; once an attempt has failed, or whenever the
 * broker does not acknowledge in time, accept() fails with UNAVAILABLE (503); the client should retry
 * (repeats are deduplicated by event_id).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';
import { errors } from '../../common/errors.ts';
import type { KafkaConfig } from '../../config/config.ts';
import type { EventIntake } from '../event-intake.ts';
import { validateBatch, type IngestResult } from '../event-writer.ts';
import type { Readiness } from './ingest-service.ts';
import { chunkMessages, createIdempotentProducer, createKafka, ensureTopics } from './kafka-client.ts';
import type { KafkaLogTarget } from './kafka-logger.ts';
import { WORKSPACE_HEADER } from './message-pipeline.ts';
import { failureText, retryWithBackoff } from './retry-with-backoff.ts';

/** How long a request waits for Kafka's acknowledgement before answering 503 (the send itself goes on). */
export const PUBLISH_TIMEOUT_MS = 10_000;
/** Sends still waiting for Kafka beyond which new requests are refused at once: memory stays bounded in an outage. */
export const MAX_PENDING_SENDS = 100;

export class KafkaEventPublisher implements EventIntake {
  readonly mode = 'kafka';
  private connected = false;
  private failedAttempts = 0;
  private notReady = 'connecting to Kafka';
  private pending = 0;
  private readonly closed = new AbortController();
  private readonly connecting: Promise<boolean>;
  private readonly producer: Producer;

  private constructor(
    private readonly config: KafkaConfig,
    private readonly logger: KafkaLogTarget,
  ) {
    const kafka = createKafka(config, '-api', logger);
    this.producer = createIdempotentProducer(kafka);
    this.connecting = retryWithBackoff(
      async () => {
        const admin = kafka.admin();
        await admin.connect();
        try {
          await ensureTopics(admin, config);
        } finally {
          await admin.disconnect();
        }
        await this.producer.connect();
        this.connected = true;
      },
      {
        signal: this.closed.signal,
        maxDelayMs: 15_000,
        onFailure: (err, attempt, delayMs) => {
          this.failedAttempts = attempt;
          this.notReady = `cannot reach Kafka (attempt ${attempt}: ${failureText(err)})`;
          this.logger.warn({ attempt, retryInMs: delayMs, reason: failureText(err) }, 'event intake cannot reach Kafka; retrying');
        },
      },
    );
  }

  /** Returns at once; the producer connects in the background, retrying until Kafka answers. */
  static launch(config: KafkaConfig, logger: KafkaLogTarget): KafkaEventPublisher {
    return new KafkaEventPublisher(config, logger);
  }

  /** Resolves once connected (tests, and callers that need Kafka before going on). */
  static async connect(config: KafkaConfig, logger: KafkaLogTarget): Promise<KafkaEventPublisher> {
    const publisher = KafkaEventPublisher.launch(config, logger);
    if (!(await publisher.connecting)) throw new Error('event publisher closed before connecting');
    return publisher;
  }

  readiness(): Readiness {
    return this.connected ? { ready: true } : { ready: false, reason: `event intake not ready: ${this.notReady}` };
  }

  async accept(workspaceId: string, items: readonly unknown[]): Promise<IngestResult> {
    const { rows, sources, rejected, accepted } = validateBatch(workspaceId, items);
    if (rows.length === 0) return { accepted, rejected };
    // Just after start-up the first connection is usually moments away: wait for it, but not once Kafka is known down.
    if (!this.connected && this.failedAttempts === 0) await Promise.race([this.connecting, sleep(PUBLISH_TIMEOUT_MS)]);
    if (!this.connected) throw errors.unavailable(`events cannot be accepted now: Kafka is not reachable (${this.notReady}); retry later`);
    if (this.pending >= MAX_PENDING_SENDS) throw errors.unavailable('events cannot be accepted now: Kafka is not acknowledging; retry later');
    // The event as posted, which the worker validates again; keyed by event_id so repeats share a partition.
    const messages = rows.map((row, i) => ({ key: row.event_id, value: JSON.stringify(sources[i]), headers: { [WORKSPACE_HEADER]: workspaceId } }));
    this.pending++;
    const sent = (async () => {
      for (const chunk of chunkMessages(messages)) await this.producer.send({ topic: this.config.eventsTopic, acks: -1, messages: chunk });
    })().finally(() => this.pending--);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            errors.unavailable(`Kafka did not acknowledge the events within ${PUBLISH_TIMEOUT_MS / 1000} s; retry (events already sent are not stored twice)`),
          ),
        PUBLISH_TIMEOUT_MS,
      );
    });
    // The producer retries without limit (idempotence needs it); a send that outlives its request still lands.
    const answered = sent.catch((err) => {
      this.logger.warn({ err }, 'event publish failed');
      throw errors.unavailable(`Kafka refused the events (${failureText(err)}); retry later`);
    });
    answered.catch(() => undefined); // Answered by the timeout already, or awaited just below.
    try {
      await Promise.race([answered, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    return { accepted, rejected };
  }

  async close(): Promise<void> {
    this.closed.abort();
    await this.producer.disconnect();
  }
}
