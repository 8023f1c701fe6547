/** Prometheus metrics of the ingest workers: throughput, batch sizes, dead letters, insert errors, lag. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface IngestMetrics {
  rowsInserted: Counter;
  messagesRead: Counter<'topic' | 'partition'>;
  batchRows: Histogram;
  deadLetters: Counter<'reason'>;
  insertErrors: Counter;
  commitErrors: Counter;
  lag: Gauge<'topic' | 'partition'>;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const registers = [registry];
  return {
    rowsInserted: new Counter({ name: 'smsp_ingest_rows_inserted_total', help: 'Events inserted by the ingest workers (rate() gives rows/s)', registers }),
    messagesRead: new Counter({
      name: 'smsp_ingest_messages_read_total',
      help: 'Messages Kafka handed to the workers, per partition (re-reads included)',
      labelNames: ['topic', 'partition'],
      registers,
    }),
    batchRows: new Histogram({ name: 'smsp_ingest_batch_rows', help: 'Events per insert', buckets: [10, 100, 1000, 5000, 10_000, 50_000, 100_000], registers }),
    deadLetters: new Counter({ name: 'smsp_ingest_dead_letters_total', help: 'Messages sent to the dead-letter topic', labelNames: ['reason'], registers }),
    insertErrors: new Counter({ name: 'smsp_ingest_insert_errors_total', help: 'Failed warehouse inserts (each retried)', registers }),
    commitErrors: new Counter({
      name: 'smsp_ingest_commit_errors_total',
      help: 'Offset commits refused (e.g. during a rebalance); the batch is re-read',
      registers,
    }),
    lag: new Gauge({ name: 'smsp_ingest_lag', help: 'Messages not yet committed, per partition', labelNames: ['topic', 'partition'], registers }),
  };
}
