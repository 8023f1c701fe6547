/**
 * HTTP ingest through Kafka: events are validated here for an immediate answer, then produced with
 * acks=all by an idempotent producer; 202 therefore still means durable (in Kafka), and the ingest
 * workers store them (validating again with the same code).
 */
import type { Producer } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';
import type { EventIntake } from '../event-intake.ts';
import { validateBatch, type IngestResult } from '../event-writer.ts';
import { chunkMessages, createKafka, ensureTopics } from './kafka-client.ts';
import { WORKSPACE_HEADER } from './message-pipeline.ts';

export class KafkaEventPublisher implements EventIntake {
  readonly mode = 'kafka';
  private constructor(
    private readonly producer: Producer,
    private readonly config: KafkaConfig,
  ) {}

  static async connect(config: KafkaConfig): Promise<KafkaEventPublisher> {
    const kafka = createKafka(config, '-api');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, config);
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    return new KafkaEventPublisher(producer, config);
  }

  async accept(workspaceId: string, items: readonly unknown[]): Promise<IngestResult> {
    const { rows, sources, rejected, accepted } = validateBatch(workspaceId, items);
    // The event as posted, which the worker validates again; keyed by event_id so repeats share a partition.
    const messages = rows.map((row, i) => ({ key: row.event_id, value: JSON.stringify(sources[i]), headers: { [WORKSPACE_HEADER]: workspaceId } }));
    for (const chunk of chunkMessages(messages)) await this.producer.send({ topic: this.config.eventsTopic, acks: -1, messages: chunk });
    return { accepted, rejected };
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
