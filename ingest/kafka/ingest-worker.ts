/**
 * A Kafka → ClickHouse ingest worker, one consumer in the ingest group.
 *
 * Exactly once in effect:
 *  - offsets are committed only after the batch's insert (and its dead letters) succeeded, so a crash
 *    re-reads, never skips;
 *  - a re-read batch is harmless: the sink stores only events not stored yet (ingest/event-store.ts
 *    checks each batch against the stored events before inserting).
 * Resolving an offset (kafkajs) only moves the fetch position; committing is separate and explicit.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';
import type { EventRow } from '../event-schema.ts';
import type { EventSink } from '../event-sink.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { chunkMessages, createIdempotentProducer } from './kafka-client.ts';
import { processEventMessage, WORKSPACE_HEADER } from './message-pipeline.ts';
import { failureText, retryWithBackoff } from './retry-with-backoff.ts';

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
  /** Of every message's workspace header and value, in offset order: what the batch holds, not only where. */
  private readonly content: Hash = createHash('sha256');
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get size(): number {
    return this.rows.length + this.deadLetters.length;
  }

  add(message: KafkaMessage): void {
    const offset = Number(message.offset);
    if (this.firstOffset < 0) this.firstOffset = offset;
    this.lastOffset = offset;
    const workspace = message.headers?.[WORKSPACE_HEADER];
    const parts = [Buffer.from(String(Array.isArray(workspace) ? workspace[0] : (workspace ?? ''))), message.value ?? Buffer.alloc(0)];
    // Length-prefixed, so no two different message lists hash alike by shifting bytes between fields.
    for (const part of parts) this.content.update(`${part.length}:`).update(part);
  }

  /** Names the batch for the sink and the logs: topic, partition, offsets and a hash of its messages (computed once: a hash can be read only once). */
  label(): string {
    return `kafka:${this.topic}:${this.partition}:${this.firstOffset}-${this.lastOffset}:${this.content.digest('hex').slice(0, 32)}`;
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
  /** Ends the start-up retries when the worker stops. */
  private readonly stopSignal = new AbortController();
  private joined = false;
  private notReadyReason = 'not started';
  private startRetrying?: Promise<boolean>;
  private markJoined!: () => void;
  /** Resolves when the worker first joins the group. */
  readonly firstJoin = new Promise<void>((resolve) => (this.markJoined = resolve));
  readonly name: string;

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
    this.producer = createIdempotentProducer(deps.kafka);
    const { events } = this.consumer;
    this.consumer.on(events.GROUP_JOIN, () => {
      // After a rebalance kafkajs restarts from committed offsets: what is buffered will come again.
      this.buffers.clear();
      this.joined = true;
      this.markJoined();
    });
    this.consumer.on(events.CRASH, ({ payload }) => {
      this.joined = false;
      this.notReadyReason = `consumer crashed: ${failureText(payload.error)}`;
      // kafkajs restarts the consumer itself after a retriable error; after any other, start over here.
      if (!payload.restart && !this.stopping) {
        this.startRetrying = undefined;
        void this.keepStarting();
      }
    });
    this.consumer.on(events.DISCONNECT, () => {
      this.joined = false;
      if (!this.stopping) this.notReadyReason = 'disconnected from Kafka';
    });
  }

  /** Whether this worker is in the group and consuming; if not, why. */
  readiness(): { ready: boolean; reason?: string } {
    if (this.stopping) return { ready: false, reason: `${this.name} is stopping` };
    return this.joined ? { ready: true } : { ready: false, reason: `${this.name}: ${this.notReadyReason}` };
  }

  /**
   * Starts in the background: tries to connect and join until it succeeds or the worker stops, with a
   * growing pause between attempts (a broker down at start-up is waited for, not fatal). Resolves true
   * once running, false if stopped first.
   */
  keepStarting(): Promise<boolean> {
    this.startRetrying ??= retryWithBackoff(() => this.start(), {
      signal: this.stopSignal.signal,
      initialDelayMs: 1000,
      maxDelayMs: 15_000,
      onFailure: (err, attempt, delayMs) => {
        this.notReadyReason = `cannot join consumer group ${this.deps.config.groupId} (attempt ${attempt}: ${failureText(err)})`;
        this.deps.logger.warn({ worker: this.name, attempt, retryInMs: delayMs, reason: failureText(err) }, 'ingest worker cannot reach Kafka; retrying');
        // A half-made connection is dropped before the next attempt.
        void Promise.allSettled([this.consumer.disconnect(), this.producer.disconnect()]);
      },
    });
    return this.startRetrying;
  }

  /** One attempt: connects, joins the group and consumes until stop() or abandon(); throws if Kafka cannot be reached. */
  async start(): Promise<void> {
    const { config } = this.deps;
    this.notReadyReason = 'connecting to Kafka';
    // stop() may come while an attempt waits on the broker: the attempt then goes no further.
    const unlessStopped = () => {
      if (this.stopping) throw new Error(`${this.name} stopped while starting`);
    };
    await this.producer.connect();
    unlessStopped();
    await this.consumer.connect();
    unlessStopped();
    this.notReadyReason = `joining consumer group ${config.groupId}`;
    await this.consumer.subscribe({ topics: [config.eventsTopic], fromBeginning: true });
    unlessStopped();
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Partitions are handled side by side: one parses while another's insert runs.
      partitionsConsumedConcurrently: Math.max(1, this.deps.config.partitions),
      eachBatch: (payload) => this.onBatch(payload),
    });
    clearInterval(this.flushTimer);
    this.flushTimer = setInterval(
      () => void this.flushAged().catch((err) => this.deps.logger.error({ err }, 'timed flush failed')),
      Math.max(50, config.batchWaitMs / 2),
    );
  }

  /** SIGTERM path: finish the batch in hand, insert and commit it, leave the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.stopSignal.abort();
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
    this.stopSignal.abort();
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
    this.locks.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isStale, isRunning }: EachBatchPayload): Promise<void> {
    this.heartbeat = heartbeat;
    this.deps.metrics.messagesRead.inc({ topic: batch.topic, partition: String(batch.partition) }, batch.messages.length);
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
        buffer.add(message);
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
      const label = buffer.label();
      await this.retrying('insert', buffer, () => sink.insert(buffer.rows, label));
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
   * Runs fn until it succeeds, backing off (0.2 s doubling to 30 s) with this partition paused and the
   * group membership kept alive by heartbeats. Memory stays bounded: nothing is fetched for it
   * meanwhile, while the other partitions go on (each pauses and resumes only itself).
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
            this.consumer.pause([{ topic: buffer.topic, partitions: [buffer.partition] }]);
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
      if (paused) this.consumer.resume([{ topic: buffer.topic, partitions: [buffer.partition] }]);
    }
  }
}
