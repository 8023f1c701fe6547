/**
 * Kafka → ClickHouse end to end (events already in the topic; timed from the workers' start until
 * every event is stored) vs a raw client insert of the same rows in the same batch size.
 */
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { EventInput, EventRow } from '../ingest/event-schema.ts';
import { startIngest } from '../ingest/kafka/ingest-service.ts';
import { chunkMessages } from '../ingest/kafka/kafka-client.ts';
import { WORKSPACE_HEADER } from '../ingest/kafka/message-pipeline.ts';
import { benchWarehouse, kafkaBenchEnv, printTable, seconds } from './harness.ts';

export async function benchKafkaIngest(brokers: string, events: EventInput[], rows: EventRow[], batch: number): Promise<void> {
  const b = await benchWarehouse({
    ...kafkaBenchEnv(brokers, 'bench'),
    INGEST_BATCH_ROWS: String(batch),
    INGEST_BATCH_WAIT_MS: '500',
  });
  const kafka = new Kafka({ clientId: 'bench', brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: b.config.kafka.eventsTopic, numPartitions: 4 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  const messages = events.map((e) => ({ key: e.event_id, value: JSON.stringify(e), headers: { [WORKSPACE_HEADER]: 'bench_kafka' } }));
  for (const chunk of chunkMessages(messages)) await producer.send({ topic: b.config.kafka.eventsTopic, messages: chunk });
  await producer.disconnect();

  const rawSeconds = await seconds(async () => {
    for (let i = 0; i < rows.length; i += batch) await b.wh.client.insert({ table: 'events', values: rows.slice(i, i + batch), format: 'JSONEachRow' });
  });
  let ingest: Awaited<ReturnType<typeof startIngest>> | undefined;
  let firstStoredAt = 0n;
  const kafkaSeconds = await seconds(async () => {
    ingest = await startIngest({ config: b.config.kafka, warehouse: b.wh, registry: new Registry(), logger: pino({ level: 'silent' }) });
    for (;;) {
      const [r] = await b.wh.query<{ n: string }>("SELECT count() AS n FROM events WHERE workspace_id = 'bench_kafka'");
      if (!firstStoredAt && Number(r!.n) > 0) firstStoredAt = process.hrtime.bigint();
      if (Number(r!.n) >= events.length) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  const steadySeconds = Number(process.hrtime.bigint() - firstStoredAt) / 1e9;
  await ingest!.stop();
  await admin.disconnect();
  printTable(`Kafka -> ClickHouse, one worker, 4 partitions, batches up to ${batch}`, 'events', [
    { label: 'raw client.insert (baseline)', rows: rows.length, seconds: rawSeconds },
    { label: 'Kafka ingest worker, from start (joins the group, then consume, validate, insert, commit)', rows: events.length, seconds: kafkaSeconds },
    { label: 'Kafka ingest worker, from its first stored batch', rows: events.length, seconds: steadySeconds },
  ]);
  await b.close();
}
