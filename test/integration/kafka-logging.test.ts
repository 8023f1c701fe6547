/**
 * kafkajs logging through pino with repeats collapsed, and the idempotent producer's retry settings.
 * No broker needed: kafkajs logs its producer warnings when a producer is created.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { logLevel, type LogEntry } from 'kafkajs';
import pino from 'pino';
import { loadConfig } from '../../config/config.ts';
import { createIdempotentProducer, createKafka } from '../../ingest/kafka/kafka-client.ts';
import { kafkaLogCreator, RepeatFilter } from '../../ingest/kafka/kafka-logger.ts';

/** A pino logger whose JSON lines land in `lines`. */
function capturingLogger(level = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

const entry = (level: logLevel, namespace: string, message: string, extra: object = {}): LogEntry => ({
  namespace,
  level,
  label: logLevel[level],
  log: { timestamp: new Date().toISOString(), logger: 'kafkajs', message, ...extra },
});

describe('kafkajs logs through pino', () => {
  it('writes a repeated message once per window, then once more with the number left out', () => {
    const { logger, lines } = capturingLogger();
    let now = 0;
    const log = kafkaLogCreator(logger, new RepeatFilter(10_000, () => now))(logLevel.INFO);
    // 500 connection errors in 5 s, each naming the retry count: one line.
    for (let i = 0; i < 500; i++, now += 10)
      log(entry(logLevel.ERROR, 'Connection', `Connection error: connect ECONNREFUSED 127.0.0.1:9092`, { retryCount: i, broker: '127.0.0.1:9092' }));
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.msg, 'kafka: Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    assert.equal(lines[0]!.level, 50, 'kafkajs ERROR is pino error');
    assert.equal(lines[0]!.kafka, 'Connection');
    assert.equal(lines[0]!.broker, '127.0.0.1:9092');
    assert.equal(lines[0]!.repeated, undefined);
    // A different message is its own line at once, at its own level.
    log(entry(logLevel.WARN, 'Producer', 'Limiting retries for the idempotent producer may invalidate EoS guarantees'));
    log(entry(logLevel.INFO, 'ConsumerGroup', 'Consumer has joined the group', { groupId: 'g' }));
    log(entry(logLevel.DEBUG, 'Fetcher', 'fetched'));
    assert.deepEqual(
      lines.slice(1).map((l) => l.level),
      [40, 30, 20],
    );
    // After the window the repeat is written again, saying how many copies were left out.
    now = 10_000;
    log(entry(logLevel.ERROR, 'Connection', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092', { retryCount: 500 }));
    const last = lines.at(-1)!;
    assert.equal(last.msg, 'kafka: Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    assert.equal(last.repeated, 499);
    assert.equal(last.retryCount, 500);
    assert.equal(lines.length, 5);
    for (const l of lines) assert.equal(l.timestamp, undefined, "pino's own time replaces kafkajs's");
  });

  it("gives the idempotent producer kafkajs's unlimited retries: no warning that idempotence is broken", () => {
    const config = loadConfig({ KAFKA_BROKERS: '127.0.0.1:1' }).kafka;
    const { logger, lines } = capturingLogger();
    const kafka = createKafka(config, '-test', logger);
    // (No other test in this file logs the producer warnings, which the process-wide repeat filter would hold back.)
    createIdempotentProducer(kafka);
    assert.deepEqual(
      lines.map((l) => l.msg),
      [],
      'creating the producer logs nothing',
    );
    // The capture would see the warning: the settings the platform used before produce it.
    kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    assert.ok(
      lines.some((l) => l.msg === 'kafka: Limiting retries for the idempotent producer may invalidate EoS guarantees' && l.level === 40),
      JSON.stringify(lines),
    );
  });
});
