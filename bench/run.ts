/**
 * `npm run bench`: each figure is a ratio against a baseline measured in the same run.
 * Usage: npm run bench -- [--events N] [--batch N] [--import N] [--seconds S] [--contacts N] [--segment-events N]
 *        [--scale-contacts N] [--scale-events N] [--large] [--scale-replays N]
 *        [--sql-contacts N] [--sql-events N] [--realtime-contacts N] [--realtime-events N] [--realtime-rate EVENTS_PER_S]
 *        [--only http,kafka,realtime,import,allocation,segmentation,scale,sql]
 * Starts a Kafka broker for the Kafka and realtime benchmarks unless KAFKA_BROKERS names one.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_DEMO, generateContacts, generateEvents } from '../demo/generator.ts';
import type { EventInput } from '../ingest/event-schema.ts';
import { validateEvent } from '../ingest/event-validation.ts';
import { startKafkaBroker } from '../scripts/kafka/broker.ts';
import { benchAllocation } from './allocation.ts';
import { benchImport } from './import.ts';
import { benchScale } from './scale.ts';
import { benchSegmentation } from './segmentation.ts';
import { benchSqlSandbox } from './sql-sandbox.ts';
import { benchHttpIngest } from './ingest-http.ts';
import { benchKafkaIngest } from './ingest-kafka.ts';
import { benchRealtime } from './realtime.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '10000' },
    import: { type: 'string', default: '500000' },
    only: { type: 'string', default: 'http,kafka,realtime,import,allocation,segmentation,scale,sql' },
    'realtime-contacts': { type: 'string', default: '10000' },
    'realtime-events': { type: 'string', default: '60000' },
    'realtime-rate': { type: 'string', default: '2000' },
    contacts: { type: 'string', default: '1000000' },
    'segment-events': { type: 'string', default: '10000000' },
    seconds: { type: 'string', default: '5' },
    'scale-contacts': { type: 'string', default: '1000000' },
    'scale-events': { type: 'string' },
    // The larger size: 50M events (an explicit --scale-events wins).
    large: { type: 'boolean', default: false },
    'scale-replays': { type: 'string', default: '3000' },
    'sql-contacts': { type: 'string', default: '1000000' },
    'sql-events': { type: 'string', default: '30000000' },
  },
});
const only = new Set(values.only!.split(','));

function demoEvents(n: number): EventInput[] {
  const opts = { ...DEFAULT_DEMO, contacts: Math.max(500, Math.ceil(n / 14)), endMs: Date.now(), batchSize: 10_000 };
  const out: EventInput[] = [];
  for (const batch of generateEvents(opts, generateContacts(opts))) {
    out.push(...batch);
    if (out.length >= n) break;
  }
  return out.slice(0, n);
}

console.log(`benchmarks on ${os.cpus().length} cores, Node ${process.version}, embedded ClickHouse (chDB); ${new Date().toISOString()}`);
const events = demoEvents(Number(values.events));
const rows = events.map((e) => {
  const r = validateEvent('bench_raw', e);
  if (!r.ok) throw new Error(r.error.message);
  return r.row;
});
const batch = Number(values.batch);
if (only.has('http')) await benchHttpIngest(events, rows, batch);
if (only.has('kafka') || only.has('realtime')) {
  const broker = process.env.KAFKA_BROKERS ? undefined : await startKafkaBroker();
  const brokers = process.env.KAFKA_BROKERS ?? broker!.brokers;
  try {
    if (only.has('kafka')) await benchKafkaIngest(brokers, events, rows, batch);
    if (only.has('realtime'))
      await benchRealtime(brokers, Number(values['realtime-contacts']), Number(values['realtime-events']), Number(values['realtime-rate']));
  } finally {
    await broker?.stop();
  }
}
if (only.has('import')) await benchImport(Number(values.import));
if (only.has('allocation')) await benchAllocation(Number(values.seconds));
if (only.has('segmentation')) await benchSegmentation(Number(values.contacts), Number(values['segment-events']));
if (only.has('scale')) {
  await benchScale({
    contacts: Number(values['scale-contacts']),
    events: Number(values['scale-events'] ?? (values.large ? 50_000_000 : 30_000_000)),
    replays: Number(values['scale-replays']),
  });
}
if (only.has('sql')) await benchSqlSandbox({ contacts: Number(values['sql-contacts']), events: Number(values['sql-events']) });
