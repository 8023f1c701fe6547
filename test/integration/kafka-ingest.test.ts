import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { buildApp } from '../../api/app.ts';
import { warehouseEventSink, type EventSink } from '../../ingest/event-sink.ts';
import { KafkaEventPublisher } from '../../ingest/kafka/event-publisher.ts';
import { startIngest, type RunningIngest } from '../../ingest/kafka/ingest-service.ts';
import { measureLag } from '../../ingest/kafka/lag-monitor.ts';
import { WORKSPACE_HEADER } from '../../ingest/kafka/message-pipeline.ts';
import { createApiKey } from '../../access/api-keys.ts';
import type { KafkaConfig } from '../../config/config.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { kafkaEvent, kafkaTestConfig, produceEvents, produceRaw, readTopic, testKafka, waitFor, withAdmin } from '../helpers/kafka.ts';
import { dropTestDatabase, openTestWarehouse, testConfig } from '../helpers/warehouse.ts';

const logger = pino({ level: 'silent' });
const kafka = testKafka();

describe('Kafka ingest workers (real broker, embedded ClickHouse)', () => {
  let wh: Warehouse;
  before(async () => {
    wh = await openTestWarehouse('kafka_ingest');
  });
  after(() => dropTestDatabase(wh));

  const stored = async (workspace: string) => {
    const [r] = await wh.query<{ n: string; ids: string }>('SELECT count() AS n, uniqExact(event_id) AS ids FROM events WHERE workspace_id = {ws:String}', {
      ws: workspace,
    });
    return { rows: Number(r!.n), ids: Number(r!.ids) };
  };
  const drained = (config: KafkaConfig) => async () => (await withAdmin(kafka, (admin) => measureLag(admin, config))).every((p) => p.lag === 0);
  const start = (config: KafkaConfig, opts: { workers?: number; sink?: EventSink } = {}) =>
    startIngest({ config, warehouse: wh, registry: new Registry(), logger, ...opts });

  it('stores valid events and dead-letters each bad message with its reason and source', async () => {
    const config = kafkaTestConfig('dlq');
    const ingest = await start(config);
    try {
      const good = Array.from({ length: 500 }, (_, i) => kafkaEvent(i, 'dlq'));
      await produceEvents(kafka, config.eventsTopic, 'ws_dlq', good.slice(0, 250));
      const ws = { [WORKSPACE_HEADER]: 'ws_dlq' };
      const bad = [
        { value: '{"event_id": "broken", ', headers: ws },
        { value: JSON.stringify({ type: 'send', ts: Date.now(), user_id: 'u' }), headers: ws },
        { value: JSON.stringify({ ...kafkaEvent(1, 'wrongtype'), user_id: 42 }), headers: ws },
        { value: JSON.stringify({ ...kafkaEvent(2, 'unknowntype'), type: 'open' }), headers: ws },
        { value: JSON.stringify(kafkaEvent(3, 'noworkspace')) },
      ];
      await produceRaw(kafka, config.eventsTopic, bad);
      await produceEvents(kafka, config.eventsTopic, 'ws_dlq', good.slice(250));
      await waitFor('the topic to be consumed', drained(config));
      assert.deepEqual(await stored('ws_dlq'), { rows: 500, ids: 500 });
      const letters = await readTopic(kafka, config.deadLetterTopic, bad.length);
      const reasons = letters.map((l) => l.headers.dlq_reason).sort();
      assert.deepEqual(reasons, [
        'event_id: is required',
        'missing workspace_id header',
        'not valid JSON',
        'type: must be one of send, delivery, click, conversion, unsubscribe, reply, complaint, exposure',
        'user_id: must be string',
      ]);
      for (const l of letters) {
        assert.equal(l.headers.dlq_source_topic, config.eventsTopic);
        assert.match(l.headers.dlq_source_partition!, /^\d+$/);
        assert.match(l.headers.dlq_source_offset!, /^\d+$/);
        assert.ok(
          bad.some((b) => b.value === l.value),
          'original bytes kept',
        );
      }
    } finally {
      await ingest.stop();
    }
  });

  it('pauses while the warehouse fails, resumes, and loses nothing', async () => {
    const config = kafkaTestConfig('outage');
    const real = warehouseEventSink(wh);
    let failUntil = 0;
    let failures = 0;
    const flaky: EventSink = {
      async insert(rows, token) {
        if (Date.now() < failUntil) {
          failures++;
          throw new Error('warehouse unavailable (injected)');
        }
        return real.insert(rows, token);
      },
    };
    const registry = new Registry();
    const ingest = await startIngest({ config, warehouse: wh, registry, logger, sink: flaky });
    try {
      failUntil = Date.now() + 4000;
      await produceEvents(
        kafka,
        config.eventsTopic,
        'ws_outage',
        Array.from({ length: 20_000 }, (_, i) => kafkaEvent(i, 'out')),
      );
      await waitFor('the topic to be consumed', drained(config), 90_000);
      assert.ok(failures > 0, 'inserts failed during the outage');
      assert.deepEqual(await stored('ws_outage'), { rows: 20_000, ids: 20_000 });
      const metrics = await registry.metrics();
      assert.match(metrics, /smsp_ingest_insert_errors_total [1-9]/);
      assert.match(metrics, /smsp_ingest_rows_inserted_total 20000/);
    } finally {
      await ingest.stop();
    }
  });

  it('two workers split the partitions; when one dies the other takes over, exact counts; a replay from 0 changes nothing', async () => {
    const config = kafkaTestConfig('takeover', { INGEST_BATCH_ROWS: '500' });
    const ingest: RunningIngest = await start(config, { workers: 2 });
    const total = 30_000;
    try {
      await produceEvents(
        kafka,
        config.eventsTopic,
        'ws_takeover',
        Array.from({ length: total / 2 }, (_, i) => kafkaEvent(i, 'tk')),
      );
      await waitFor('some progress', async () => (await stored('ws_takeover')).ids > 1000);
      await ingest.workers[0]!.abandon();
      await produceEvents(
        kafka,
        config.eventsTopic,
        'ws_takeover',
        Array.from({ length: total / 2 }, (_, i) => kafkaEvent(total / 2 + i, 'tk')),
      );
      await waitFor('the survivor to drain the topic', drained(config), 120_000);
      assert.deepEqual(await stored('ws_takeover'), { rows: total, ids: total });
    } finally {
      await ingest.stop();
    }
    await withAdmin(kafka, (admin) => admin.resetOffsets({ groupId: config.groupId, topic: config.eventsTopic, earliest: true }));
    const replay = await start(config);
    try {
      await waitFor('the replay to finish', drained(config), 120_000);
      assert.deepEqual(await stored('ws_takeover'), { rows: total, ids: total });
    } finally {
      await replay.stop();
    }
  });

  it('POST /v1/events through Kafka: 202 after the broker has the events, stored by the workers', async () => {
    const base = testConfig('kafka_ingest');
    const config = { ...base, kafka: kafkaTestConfig('http') };
    const intake = await KafkaEventPublisher.connect(config.kafka, logger);
    const app = await buildApp({ config, warehouse: wh, intake, logger: false });
    const ingest = await start(config.kafka);
    try {
      const { key } = await createApiKey(wh, { workspace: 'ws_http', role: 'sender', name: 'k', createdBy: 'test' });
      const res = await app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { authorization: `Bearer ${key}` },
        payload: [kafkaEvent(1, 'h'), { ...kafkaEvent(2, 'h'), ts: 'soon' }, kafkaEvent(3, 'h'), kafkaEvent(1, 'h')],
      });
      assert.equal(res.statusCode, 202);
      assert.equal(res.json().accepted, 3);
      assert.equal(res.json().rejected[0].index, 1);
      const [end] = await withAdmin(kafka, async (admin) => [
        (await admin.fetchTopicOffsets(config.kafka.eventsTopic)).reduce((s, p) => s + Number(p.high), 0),
      ]);
      assert.equal(end, 2, 'two distinct events are in Kafka when the answer arrives');
      await waitFor('the workers to store them', async () => (await stored('ws_http')).ids === 2);
    } finally {
      await ingest.stop();
      await app.close();
      await intake.close();
    }
  });
});
