/**
 * Realtime segments: latency from producing an event to Kafka until the change it causes is recorded. A segment
 * "≥ 2 clicks within 7 days AND tag vip" is flagged realtime over `contacts` vip contacts; `events` events (sends,
 * deliveries and clicks of those contacts, a third clicks) are produced at a steady `rate`. The
 * produce time of each contact's second click is kept; its `entered` row's recorded_at minus that time is the latency.
 * The ingest worker and the realtime worker run with their default settings (batches wait up to 1 s; a pass a second).
 */
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { Registry } from 'prom-client';
import { upsertContacts } from '../ingest/contacts.ts';
import { startIngest } from '../ingest/kafka/ingest-service.ts';
import { chunkMessages } from '../ingest/kafka/kafka-client.ts';
import { WORKSPACE_HEADER } from '../ingest/kafka/message-pipeline.ts';
import { changeTags } from '../ingest/tags.ts';
import { changesPage, setRealtime } from '../segmentation/realtime-segments.ts';
import { startRealtimeWorker } from '../segmentation/realtime-worker.ts';
import { saveSegment } from '../segmentation/segments.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql } from '../warehouse/sql-files.ts';
import { benchWarehouse, kafkaBenchEnv } from './harness.ts';

const WS = 'bench_realtime';
const RULE = { all: [{ event: 'click', within_days: 7, count: { op: 'gte', value: 2 } }, { tag: 'vip' }] };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

export async function benchRealtime(brokers: string, contacts: number, events: number, rate: number): Promise<void> {
  const b = await benchWarehouse(kafkaBenchEnv(brokers, 'bench_rt'));
  const users = Array.from({ length: contacts }, (_, i) => `u${i}`);
  await upsertContacts(
    b.wh,
    WS,
    users.map((u, i) => ({ user_id: u, phone: `+86139${String(i).padStart(8, '0')}` })),
  );
  await changeTags(b.wh, WS, { assignments: users.map((u) => ({ user_id: u, tag: 'vip' })) });
  const segment = await saveSegment(b.wh, WS, { name: 'vip clickers', rule: RULE }, 'bench');
  await setRealtime(b.wh, WS, segment.id, true, 'bench');

  const kafka = new Kafka({ clientId: 'bench', brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: b.config.kafka.eventsTopic, numPartitions: 4 }], waitForLeaders: true });
  await admin.disconnect();
  const ingest = await startIngest({ config: b.config.kafka, warehouse: b.wh, registry: new Registry(), logger: pino({ level: 'silent' }) });
  const worker = startRealtimeWorker(b.wh, { everyMs: b.config.realtime.intervalMs, sweepMs: b.config.realtime.sweepMs, onError: (err) => console.error(err) });

  // Deterministic stream: event i belongs to user (i * 7919) mod contacts; every third event is a click.
  const clicks = new Map<string, number>();
  const producedAt = new Map<string, number>();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = Date.now();
  // Paced at `rate` events/s (a chunk every 100 ms): faster than the ingest worker stores them would measure its backlog.
  const CHUNK = Math.max(1, Math.round(rate / 10));
  for (let i = 0; i < events; i += CHUNK) {
    const due = started + (i / rate) * 1000;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const messages = [];
    const secondClicks: string[] = [];
    for (let j = i; j < Math.min(events, i + CHUNK); j++) {
      const user = users[(j * 7919) % contacts]!;
      const type = j % 3 === 0 ? 'click' : j % 3 === 1 ? 'send' : 'delivery';
      const event = { event_id: `e${j}`, type, ts: Date.now() - 60_000, user_id: user, ...(type === 'delivery' && { status: 'delivered' }) };
      messages.push({ key: event.event_id, value: JSON.stringify(event), headers: { [WORKSPACE_HEADER]: WS } });
      if (type === 'click') {
        clicks.set(user, (clicks.get(user) ?? 0) + 1);
        if (clicks.get(user) === 2) secondClicks.push(user);
      }
    }
    const sentAt = Date.now();
    for (const chunk of chunkMessages(messages)) await producer.send({ topic: b.config.kafka.eventsTopic, acks: -1, messages: chunk });
    for (const user of secondClicks) producedAt.set(user, sentAt);
  }
  await producer.disconnect();
  const producedSeconds = (Date.now() - started) / 1000;

  // Wait until every event is stored and every qualifying contact has entered.
  const entered = new Map<string, number>();
  const storedAt = new Map<string, number>();
  let storedSeconds = 0;
  let since = 0;
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline && (entered.size < producedAt.size || !storedSeconds)) {
    const [row] = await b.wh.query<{ n: string }>(sql('bench/events-count'), workspaceParams(WS));
    if (!storedSeconds && Number(row!.n) >= events) storedSeconds = (Date.now() - started) / 1000;
    for (let page = await changesPage(b.wh, WS, segment.id, since, 1000); page?.changes.length; page = await changesPage(b.wh, WS, segment.id, since, 1000)) {
      for (const c of page.changes) {
        if (c.change !== 'entered') continue;
        entered.set(c.user_id, Date.parse(c.recorded_at));
        storedAt.set(c.user_id, Date.parse(c.cause_ingested_at));
      }
      since = page.next;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await worker.stop();
  await ingest.stop();

  const seen = [...producedAt].filter(([u]) => entered.has(u));
  const sortedSeconds = (f: (u: string, at: number) => number) => seen.map(([u, at]) => f(u, at) / 1000).sort((x, y) => x - y);
  const latencies = sortedSeconds((u, at) => entered.get(u)! - at);
  // The two legs: Kafka to stored (the ingest worker's batching and insert), stored to recorded (the realtime pass).
  const ingestLeg = sortedSeconds((u, at) => storedAt.get(u)! - at);
  const realtimeLeg = sortedSeconds((u) => entered.get(u)! - storedAt.get(u)!);
  console.log(
    `\nRealtime segment (≥ 2 clicks in 7 days AND tag vip), ${contacts.toLocaleString('en')} contacts, ${events.toLocaleString('en')} events through Kafka`,
  );
  console.log('| measure | value |');
  console.log('| --- | ---: |');
  console.log(
    `| events produced (acks=all, idempotent, paced at ${rate.toLocaleString('en')}/s in chunks of ${CHUNK}) | ${Math.round(events / producedSeconds).toLocaleString('en')} events/s |`,
  );
  console.log(
    `| events stored (from the first produce to the last stored) | ${storedSeconds ? `${Math.round(events / storedSeconds).toLocaleString('en')} events/s` : 'not all stored'} |`,
  );
  console.log(`| contacts that should enter / entered | ${producedAt.size.toLocaleString('en')} / ${entered.size.toLocaleString('en')} |`);
  if (latencies.length) {
    console.log(`| produce → change recorded, p50 | ${percentile(latencies, 50).toFixed(2)} s |`);
    console.log(`| produce → change recorded, p99 | ${percentile(latencies, 99).toFixed(2)} s |`);
    console.log(`| produce → change recorded, max | ${latencies[latencies.length - 1]!.toFixed(2)} s |`);
    console.log(
      `| of which produce → event stored (ingested_at), p50 / p99 | ${percentile(ingestLeg, 50).toFixed(2)} / ${percentile(ingestLeg, 99).toFixed(2)} s |`,
    );
    console.log(
      `| of which event stored → change recorded, p50 / p99 | ${percentile(realtimeLeg, 50).toFixed(2)} / ${percentile(realtimeLeg, 99).toFixed(2)} s |`,
    );
  }
  await b.close();
}
