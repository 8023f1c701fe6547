/**
 * Ingest worker edge cases against a real broker and the embedded engine: a recreated topic reuses
 * offsets (new events there must not be mistaken for a retry), and one partition's failing
 * inserts must hold back only that partition.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { warehouseEventSink, type EventSink } from '../../ingest/event-sink.ts';
import { startIngest } from '../../ingest/kafka/ingest-service.ts';
import { measureLag } from '../../ingest/kafka/lag-monitor.ts';
import { WORKSPACE_HEADER } from '../../ingest/kafka/message-pipeline.ts';
import type { KafkaConfig } from '../../config/config.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { kafkaEvent, kafkaTestConfig, produceEvents, testKafka, waitFor, withAdmin } from '../helpers/kafka.ts';
import { dropTestDatabase, openTestWarehouse } from '../helpers/warehouse.ts';

const logger = pino({ level: 'silent' });
const kafka = testKafka();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Kafka ingest hardening (real broker, embedded ClickHouse)', () => {
  let wh: Warehouse;
  before(async () => {
    wh = await openTestWarehouse('kafka_hardening');
  });
  after(() => dropTestDatabase(wh));

  const stored = async (workspace: string, prefix = '') => {
    const [r] = await wh.query<{ n: string }>('SELECT count() AS n FROM events WHERE workspace_id = {ws:String} AND startsWith(event_id, {p:String})', {
      ws: workspace,
      p: prefix,
    });
    return Number(r!.n);
  };
  const drained = (config: KafkaConfig) => async () => (await withAdmin(kafka, (admin) => measureLag(admin, config))).every((p) => p.lag === 0);

  it('stores the events of a recreated topic although their offsets repeat those of events already stored', async () => {
    // One partition and every event produced before the worker starts: both runs read offsets 0-99 as one batch.
    const config = kafkaTestConfig('recreate', { KAFKA_PARTITIONS: '1', INGEST_BATCH_ROWS: '1000' });
    const topic = config.eventsTopic;
    const first = Array.from({ length: 100 }, (_, i) => kafkaEvent(i, 'ra'));
    await withAdmin(kafka, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }));
    await produceEvents(kafka, topic, 'ws_recreate', first);
    let ingest = await startIngest({ config, warehouse: wh, registry: new Registry(), logger });
    try {
      await waitFor('the first events to be stored', async () => (await stored('ws_recreate')) === 100);
    } finally {
      await ingest.stop();
    }

    await withAdmin(kafka, (admin) => admin.deleteTopics({ topics: [topic] }));
    // Deletion completes in the background: creating the name again succeeds once it has.
    await waitFor('the topic to be created again', () =>
      withAdmin(kafka, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })).then(
        (created) => created,
        () => false,
      ),
    );
    const offsets = await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(topic));
    assert.deepEqual(
      offsets.map((o) => o.high),
      ['0'],
      'the recreated topic starts at offset 0 again',
    );
    await produceEvents(
      kafka,
      topic,
      'ws_recreate',
      Array.from({ length: 100 }, (_, i) => kafkaEvent(i, 'rb')),
    );

    ingest = await startIngest({ config, warehouse: wh, registry: new Registry(), logger });
    try {
      await waitFor('the recreated topic to be consumed', drained(config));
      await waitFor('the second events to be stored', async () => (await stored('ws_recreate', 'rb')) === 100, 15_000);
    } finally {
      await ingest.stop();
    }
    assert.equal(await stored('ws_recreate', 'ra'), 100);
    assert.equal(await stored('ws_recreate', 'rb'), 100);
  });

  it('pauses only the partition whose inserts fail: the others go on, it fetches nothing meanwhile, nothing is lost', async () => {
    const config = kafkaTestConfig('partpause', { KAFKA_PARTITIONS: '2', INGEST_BATCH_WAIT_MS: '100' });
    const real = warehouseEventSink(wh);
    let failPartition0 = true;
    let partition0Failures = 0;
    let partition1FailuresLeft = 1;
    // The partition is in the batch's name: kafka:<topic>:<partition>:<first>-<last>:<hash>.
    const partitionOf = (token: string) => Number(token.split(':')[2]);
    const sink: EventSink = {
      async insert(rows, token) {
        if (partitionOf(token) === 0 && failPartition0) {
          partition0Failures++;
          throw new Error('partition 0 warehouse shard down (injected)');
        }
        // Partition 1 fails once while partition 0 is failing: its own resume must not resume partition 0.
        if (partitionOf(token) === 1 && partition0Failures > 0 && partition1FailuresLeft > 0) {
          partition1FailuresLeft--;
          throw new Error('transient (injected)');
        }
        return real.insert(rows, token);
      },
    };
    const registry = new Registry();
    const ingest = await startIngest({ config, warehouse: wh, registry, logger, sink });
    const producer = kafka.producer();
    await producer.connect();
    const send = (partition: number, from: number, n: number) =>
      producer.send({
        topic: config.eventsTopic,
        acks: -1,
        messages: Array.from({ length: n }, (_, i) => {
          const e = kafkaEvent(from + i, `p${partition}_`);
          return { partition, key: e.event_id, value: JSON.stringify(e), headers: { [WORKSPACE_HEADER]: 'ws_partpause' } };
        }),
      });
    const readFrom = async (partition: number) => {
      const metric = await registry.getSingleMetric('smsp_ingest_messages_read_total')!.get();
      return metric.values.find((v) => v.labels.partition === String(partition))?.value ?? 0;
    };
    try {
      await send(0, 0, 50);
      await waitFor('partition 0 inserts to fail', async () => partition0Failures > 0);
      await sleep(500);
      const readBefore = await readFrom(0);
      assert.equal(readBefore, 50);

      await send(1, 0, 50);
      await waitFor('partition 1 to be stored while partition 0 fails', async () => (await stored('ws_partpause', 'p1_')) === 50, 20_000);
      assert.equal(partition1FailuresLeft, 0, 'partition 1 failed once and recovered');
      await send(0, 50, 50);
      await send(1, 50, 50);
      await waitFor('partition 1 to go on', async () => (await stored('ws_partpause', 'p1_')) === 100, 20_000);
      await sleep(1500);
      assert.equal(await readFrom(0), readBefore, 'nothing more fetched from the failing partition');
      assert.equal(await stored('ws_partpause', 'p0_'), 0);
      assert.ok(partition0Failures >= 2, 'partition 0 kept retrying');

      failPartition0 = false;
      await waitFor('the topic to be consumed', drained(config), 60_000);
      assert.equal(await stored('ws_partpause', 'p0_'), 100);
      assert.equal(await stored('ws_partpause', 'p1_'), 100);
      assert.equal(await readFrom(0), 100, 'partition 0 read each message once');
    } finally {
      failPartition0 = false; // stop() finishes the batch in hand, which needs the insert to succeed
      await producer.disconnect();
      await ingest.stop();
    }
  });
});
