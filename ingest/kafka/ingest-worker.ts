/**
 * A Kafka → ClickHouse ingest worker, one consumer in the ingest group.
 *
 * Exactly once in effect:
 *  - offsets are committed only after the batch's insert (and its dead letters) succeeded, so a crash
 *    re-reads, never skips;
 *  - a re-read batch is harmless: the insert carries a token built from topic-partition-first-last
 *    offsets (a retry of the same batch is dropped by ClickHouse), and any other re-read copy of an
 *    event collapses on the events table's key, which every query reads with FINAL.
 * Resolving an offset (kafkajs) only moves the fetch position; committing is separate and explicit.
 */
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';
import type { EventRow } from '../event-schema.ts';
import type { EventSink } from '../event-sink.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { chunkMessages } from './kafka-client.ts';
import { processEventMessage } from './message-pipeline.ts';

export interface WorkerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

interface DeadLetter {
  message: KafkaMessage;
  reason: string;
}

/** What one partition has fetched but not yet committed. */
class PartitionBuffer {
  rows: EventRow[] = [];
  deadLetters: DeadLetter[] = [];
  firstOffset = -1;
  lastOffset = -1;
  readonly startedAt = Date.now();
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get size(): number {
    return this.rows.length + this.deadLetters.length;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface IngestWorkerDeps {
  kafka: Kafka;
  config: KafkaConfig;
  sink: EventSink;
  metrics: IngestMetrics;
  logger: WorkerLogger;
  name?: string;
}

export class IngestWorker {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly buffers = new Map<string, PartitionBuffer>();
  /** One chain per partition: a partition's batches are handled in order, partitions overlap. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private flushTimer?: NodeJS.Timeout;
  private heartbeat: () => Promise<void> = async () => {};
  private stopping = false;
  private abandoned = false;
  private readonly name: string;

  constructor(private readonly deps: IngestWorkerDeps) {
    this.name = deps.name ?? 'worker';
    this.consumer = deps.kafka.consumer({
      groupId: deps.config.groupId,
      sessionTimeout: deps.config.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(deps.config.sessionTimeoutMs / 3)),
      // Larger fetches make fewer, fuller batches (kafkajs otherwise forms tiny ones).
      minBytes: 64 * 1024,
      maxBytes: 16 * 1024 * 1024,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: Math.min(500, deps.config.batchWaitMs),
    });
    this.producer = deps.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

  /** Joins the group and consumes until stop() or abandon(). */
  async start(): Promise<void> {
    const { config } = this.deps;
    await this.producer.connect();
    await this.consumer.connect();
    // After a rebalance kafkajs restarts from committed offsets: what is buffered will come again.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.buffers.clear());
    await this.consumer.subscribe({ topics: [config.eventsTopic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Partitions are handled side by side: one parses while another's insert runs.
      partitionsConsumedConcurrently: Math.max(1, this.deps.config.partitions),
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.flushTimer = setInterval(() => void this.flushAged().catch((err) => this.deps.logger.error({ err }, 'timed flush failed')), Math.max(50, config.batchWaitMs / 2));
  }

  /** SIGTERM path: finish the batch in hand, insert and commit it, leave the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.flushTimer);
    await this.flushAll();
    await this.consumer.disconnect();
    await this.producer.disconnect();
    this.deps.logger.info({ worker: this.name }, 'ingest worker stopped');
  }

  /** Leaves without inserting or committing what is buffered, as a crash would (tests use it). */
  async abandon(): Promise<void> {
    this.stopping = true;
    this.abandoned = true;
    clearInterval(this.flushTimer);
    this.buffers.clear();
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  /** Events fetched but not yet committed. */
  bufferedRows(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.size;
    return n;
  }

  private locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    this.locks.set(key, run.catch(() => undefined));
    return run;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isStale, isRunning }: EachBatchPayload): Promise<void> {
    this.heartbeat = heartbeat;
    if (this.stopping) return;
    const key = `${batch.topic}:${batch.partition}`;
    await this.locked(key, async () => {
      if (this.stopping || isStale()) return;
      let buffer = this.buffers.get(key);
      if (!buffer) this.buffers.set(key, (buffer = new PartitionBuffer(batch.topic, batch.partition)));
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        const offset = Number(message.offset);
        // A message already buffered (fetched again before our commit) is not buffered twice.
        if (offset <= buffer.lastOffset) continue;
        const result = processEventMessage(message.value, message.headers);
        if (result.kind === 'row') buffer.rows.push(result.row);
        else buffer.deadLetters.push({ message, reason: result.reason });
        if (buffer.firstOffset < 0) buffer.firstOffset = offset;
        buffer.lastOffset = offset;
        resolveOffset(message.offset);
        if (buffer.size >= this.deps.config.batchRows) await this.flush(buffer);
        if (!this.buffers.has(key)) this.buffers.set(key, (buffer = new PartitionBuffer(batch.topic, batch.partition)));
      }
    });
    if (this.bufferedRows() >= this.deps.config.maxBufferedRows) await this.flushAll();
    await heartbeat().catch(() => undefined);
  }

  private async flushAged(): Promise<void> {
    const now = Date.now();
    await Promise.all(
      [...this.buffers.entries()].map(([key, buffer]) =>
        this.locked(key, async () => {
          if (buffer.size > 0 && now - buffer.startedAt >= this.deps.config.batchWaitMs) await this.flush(buffer);
        }),
      ),
    );
  }

  private async flushAll(): Promise<void> {
    await Promise.all([...this.buffers.entries()].map(([key, buffer]) => this.locked(key, () => this.flush(buffer))));
  }

  /** Insert, dead-letter, then commit one partition's buffer. Retries until it succeeds or the worker stops. */
  private async flush(buffer: PartitionBuffer): Promise<void> {
    const key = `${buffer.topic}:${buffer.partition}`;
    if (this.buffers.get(key) === buffer) this.buffers.delete(key);
    if (buffer.size === 0) return;
    const { metrics, sink, config } = this.deps;
    if (buffer.rows.length) {
      const token = `kafka:${buffer.topic}:${buffer.partition}:${buffer.firstOffset}-${buffer.lastOffset}`;
      await this.retrying('insert', buffer, () => sink.insert(buffer.rows, token));
      metrics.rowsInserted.inc(buffer.rows.length);
      metrics.batchRows.observe(buffer.rows.length);
    }
    if (buffer.deadLetters.length) {
      const letters = buffer.deadLetters.map((d) => this.deadLetterMessage(buffer, d));
      await this.retrying('dead-letter', buffer, async () => {
        for (const chunk of chunkMessages(letters)) await this.producer.send({ topic: config.deadLetterTopic, acks: -1, messages: chunk });
      });
      for (const d of buffer.deadLetters) metrics.deadLetters.inc({ reason: d.reason.split(':')[0]!.slice(0, 40) });
    }
    try {
      await this.consumer.commitOffsets([{ topic: buffer.topic, partition: buffer.partition, offset: String(buffer.lastOffset + 1) }]);
    } catch (err) {
      // The partition moved to another worker: it re-reads this batch, and the dedup makes that harmless.
      metrics.commitErrors.inc();
      this.deps.logger.warn({ err, worker: this.name, partition: buffer.partition }, 'offset commit refused; batch will be re-read');
    }
  }

  private deadLetterMessage(buffer: PartitionBuffer, d: DeadLetter) {
    return {
      key: d.message.key,
      value: d.message.value,
      headers: {
        ...d.message.headers,
        dlq_reason: d.reason,
        dlq_source_topic: buffer.topic,
        dlq_source_partition: String(buffer.partition),
        dlq_source_offset: d.message.offset,
        dlq_failed_at: new Date().toISOString(),
      },
    };
  }

  /**
   * Runs fn until it succeeds, backing off (0.2 s doubling to 30 s) with the topic paused and the
   * group membership kept alive by heartbeats. Memory stays bounded: nothing is fetched meanwhile.
   */
  private async retrying(what: string, buffer: PartitionBuffer, fn: () => Promise<unknown>): Promise<void> {
    let delay = 200;
    let paused = false;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await fn();
          return;
        } catch (err) {
          if (this.abandoned) throw err;
          if (what === 'insert') this.deps.metrics.insertErrors.inc();
          this.deps.logger.warn({ err, attempt, worker: this.name, partition: buffer.partition }, `${what} failed; retrying`);
          if (!paused) {
            this.consumer.pause([{ topic: this.deps.config.eventsTopic }]);
            paused = true;
          }
          const until = Date.now() + delay;
          while (Date.now() < until) {
            await this.heartbeat().catch(() => undefined);
            await sleep(Math.min(1000, until - Date.now()));
          }
          delay = Math.min(delay * 2, 30_000);
        }
      }
    } finally {
      if (paused) this.consumer.resume([{ topic: this.deps.config.eventsTopic }]);
    }
  }
}
