/**
 * One configuration object, read from the environment once at start-up, validated, and passed down.
 * Nothing below the CLI reads process.env.
 */
import net from 'node:net';
import path from 'node:path';

export interface WarehouseConfig {
  /** Absent: embedded chDB under dataDir. Present: a ClickHouse server over HTTP(S). */
  url?: string;
  username: string;
  password: string;
  database: string;
  /** Renders ON CLUSTER DDL with Replicated engines and Distributed tables. Server mode only. */
  cluster?: string;
  /** Directory of the embedded engine's data (chDB binds one per process). */
  embeddedPath: string;
  /** The only directory (and below) the engine may write backups to or restore them from. */
  backupRoot: string;
  /** Upper bound on any query's run time, in seconds (max_execution_time). */
  queryTimeoutSeconds: number;
  /** How long events are kept. The seeds' compliance rule asks for at least 2 years of send records. */
  eventRetentionMonths: number;
}

export interface ServerConfig {
  host: string;
  port: number;
  /** Largest request body accepted, in bytes (413 above it). */
  bodyLimitBytes: number;
  /** Most events accepted in one POST /v1/events. */
  maxEventsPerRequest: number;
  /** Largest page a list endpoint returns. */
  maxPageSize: number;
  /** Most data rows in one contact import (the seeds' limit is 500,000 numbers). */
  importMaxRows: number;
  /** Largest contact import file, in bytes. */
  importMaxBytes: number;
  /** A k-means fit running longer is stopped (its worker thread terminated) and the request refused. */
  clusterTimeLimitSeconds: number;
  /** Requests per minute per API key (per IP without a valid key); 0 turns rate limiting off. */
  rateLimitPerMinute: number;
  /** How often the server looks for due scheduled jobs (segment refreshes); 0 turns the scheduler off. */
  schedulerIntervalMs: number;
  /** Schedules may not fire more often than this (cron slots closer together are refused). */
  scheduleMinIntervalMinutes: number;
}

export interface KafkaConfig {
  /** Absent: no Kafka; POST /v1/events writes the warehouse directly. */
  brokers?: string[];
  clientId: string;
  eventsTopic: string;
  deadLetterTopic: string;
  groupId: string;
  /** Partitions of the events topic when this platform creates it. */
  partitions: number;
  /** A partition's buffer is inserted when it holds this many events... */
  batchRows: number;
  /** ...or when its oldest event has waited this long. */
  batchWaitMs: number;
  /** Above this many buffered events in one worker, it inserts before fetching more (bounded memory). */
  maxBufferedRows: number;
  /** Consumers per ingest process, all in one consumer group. */
  workers: number;
  /** A worker that stops heartbeating (crashed) loses its partitions after this long. */
  sessionTimeoutMs: number;
}

/** How a failed webhook delivery is retried: attempt n + 1 waits baseDelayMs × 2^(n-1). */
export interface WebhookRetry {
  attempts: number;
  baseDelayMs: number;
}

/** Outbound webhooks (alert rules, segment notices): what the server may post to. */
export interface WebhookConfig {
  /** Accept http:// receivers; otherwise https only. */
  allowHttp: boolean;
  /** Networks (CIDR) that may be posted to although private, loopback, link-local or reserved. */
  allowedNetworks: string[];
  /** One attempt's deadline, from connecting to the last byte of the answer. */
  timeoutMs: number;
  /** Absent: notify/retried-post.ts's default (4 attempts from 0.5 s). */
  retry?: WebhookRetry;
}

/** Analysts' SQL over per-workspace snapshots in DuckDB (sandbox/). */
export interface SandboxConfig {
  /** Where the Parquet snapshots live: one directory per workspace below it. */
  dir: string;
  /** A snapshot older than this is rewritten in the background at the next query (which still reads it). */
  maxAgeSeconds: number;
  /** A query running longer is interrupted. */
  timeLimitSeconds: number;
  /** Rows returned at most; the answer says when it was cut. */
  maxRows: number;
  /** DuckDB's memory_limit per query, in MiB (nothing spills to disk). */
  memoryLimitMb: number;
  /** DuckDB's threads per query. */
  threads: number;
  /** Queries running at once in a process; more wait (up to their time limit) for a turn. */
  maxConcurrent: number;
}

/** Realtime segments (segmentation/realtime-worker.ts), run by `smsp serve`. */
export interface RealtimeConfig {
  /** How often the worker looks for touched contacts; 0 turns the worker off. */
  intervalMs: number;
  /** At most how often current members are re-evaluated for windows moving on. */
  sweepMs: number;
}

export interface AppConfig {
  dataDir: string;
  warehouse: WarehouseConfig;
  server: ServerConfig;
  kafka: KafkaConfig;
  webhooks: WebhookConfig;
  sandbox: SandboxConfig;
  realtime: RealtimeConfig;
  /** Seals page cursors; servers behind one load balancer share it (else each process has its own). */
  cursorSecret?: string;
  /** When set, becomes the root admin key of workspace `default` on first start. */
  adminApiKey?: string;
  logLevel: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const MIN_RETENTION_MONTHS = 24;
/**
 * The events TTL is `toDateTime(ts) + N months`, and DateTime ends in 2106: a longer retention wraps into
 * the past and expires everything. 20 years keeps every event written before 2086 safe.
 */
export const MAX_RETENTION_MONTHS = 240;

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function identifierFrom(env: NodeJS.ProcessEnv, name: string, fallback: string | undefined): string | undefined {
  const raw = env[name] || fallback;
  if (raw !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw)) {
    throw new ConfigError(`${name} must be a plain identifier (letters, digits, _), got ${JSON.stringify(raw)}`);
  }
  return raw;
}

function booleanFrom(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(env[name])}`);
}

/** A comma-separated list of CIDRs (`10.1.0.0/16`, `::1/128`) or single addresses (`/32`, `/128` implied). */
function networksFrom(env: NodeJS.ProcessEnv, name: string): string[] {
  const items = (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.map((item) => {
    const [address = '', prefix, ...rest] = item.split('/');
    const family = net.isIP(address);
    const bits = family === 4 ? 32 : 128;
    const n = prefix === undefined ? bits : Number(prefix);
    if (!family || rest.length || !/^\d+$/.test(prefix ?? String(bits)) || n > bits) {
      throw new ConfigError(`${name} must list networks like 10.1.0.0/16 or fd00::/8, got ${JSON.stringify(item)}`);
    }
    return `${address}/${n}`;
  });
}

/** Builds the configuration from environment variables (see README, "Configuration"). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const url = env.CLICKHOUSE_URL || undefined;
  const cluster = identifierFrom(env, 'CLICKHOUSE_CLUSTER', undefined);
  if (cluster && !url) throw new ConfigError('CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL: the embedded engine is a single node');
  const retention = intFrom(env, 'EVENT_RETENTION_MONTHS', 25, 1, MAX_RETENTION_MONTHS);
  if (retention < MIN_RETENTION_MONTHS) {
    throw new ConfigError(`EVENT_RETENTION_MONTHS must be at least ${MIN_RETENTION_MONTHS}: send records are kept 2 years (compliance)`);
  }
  const schedulerIntervalMs = intFrom(env, 'SCHEDULER_INTERVAL_MS', 30_000, 0, 3_600_000);
  if (schedulerIntervalMs > 0 && schedulerIntervalMs < 1000) throw new ConfigError('SCHEDULER_INTERVAL_MS must be 0 (off) or at least 1000');
  return {
    dataDir,
    warehouse: {
      url,
      username: env.CLICKHOUSE_USER || 'default',
      password: env.CLICKHOUSE_PASSWORD || '',
      database: identifierFrom(env, 'CLICKHOUSE_DATABASE', 'sms')!,
      cluster,
      embeddedPath: path.resolve(env.CHDB_PATH || path.join(dataDir, 'chdb')),
      backupRoot: path.resolve(env.BACKUP_ROOT || path.join(dataDir, 'backups')),
      queryTimeoutSeconds: intFrom(env, 'QUERY_TIMEOUT_SECONDS', 30, 1, 3600),
      eventRetentionMonths: retention,
    },
    server: {
      host: env.HOST || '127.0.0.1',
      port: intFrom(env, 'PORT', 3000, 0, 65535),
      bodyLimitBytes: intFrom(env, 'BODY_LIMIT_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      maxEventsPerRequest: intFrom(env, 'MAX_EVENTS_PER_REQUEST', 10_000, 1, 1_000_000),
      maxPageSize: intFrom(env, 'MAX_PAGE_SIZE', 1000, 1, 100_000),
      importMaxRows: intFrom(env, 'IMPORT_MAX_ROWS', 500_000, 1, 10_000_000),
      importMaxBytes: intFrom(env, 'IMPORT_MAX_BYTES', 256 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
      clusterTimeLimitSeconds: intFrom(env, 'CLUSTER_TIME_LIMIT_SECONDS', 60, 1, 3600),
      rateLimitPerMinute: intFrom(env, 'RATE_LIMIT_PER_MINUTE', 1200, 0, 1_000_000),
      schedulerIntervalMs,
      scheduleMinIntervalMinutes: intFrom(env, 'SCHEDULE_MIN_INTERVAL_MINUTES', 15, 1, 1440),
    },
    kafka: {
      brokers: env.KAFKA_BROKERS
        ? env.KAFKA_BROKERS.split(',')
            .map((b) => b.trim())
            .filter(Boolean)
        : undefined,
      clientId: env.KAFKA_CLIENT_ID || 'smsp',
      eventsTopic: env.KAFKA_EVENTS_TOPIC || 'sms.events',
      deadLetterTopic: env.KAFKA_DEAD_LETTER_TOPIC || 'sms.events.dlq',
      groupId: env.KAFKA_GROUP_ID || 'smsp-ingest',
      partitions: intFrom(env, 'KAFKA_PARTITIONS', 4, 1, 1024),
      batchRows: intFrom(env, 'INGEST_BATCH_ROWS', 10_000, 1, 1_000_000),
      batchWaitMs: intFrom(env, 'INGEST_BATCH_WAIT_MS', 1000, 10, 600_000),
      maxBufferedRows: intFrom(env, 'INGEST_MAX_BUFFERED_ROWS', 100_000, 1, 10_000_000),
      workers: intFrom(env, 'INGEST_WORKERS', 1, 1, 64),
      sessionTimeoutMs: intFrom(env, 'INGEST_SESSION_TIMEOUT_MS', 30_000, 6_000, 300_000),
    },
    webhooks: {
      allowHttp: booleanFrom(env, 'WEBHOOK_ALLOW_HTTP'),
      allowedNetworks: networksFrom(env, 'WEBHOOK_ALLOWED_NETWORKS'),
      timeoutMs: intFrom(env, 'WEBHOOK_TIMEOUT_MS', 5000, 100, 60_000),
      retry: { attempts: intFrom(env, 'WEBHOOK_RETRY_ATTEMPTS', 4, 1, 20), baseDelayMs: intFrom(env, 'WEBHOOK_RETRY_BASE_MS', 500, 10, 600_000) },
    },
    sandbox: {
      dir: path.resolve(env.SQL_SNAPSHOT_DIR || path.join(dataDir, 'sandbox')),
      maxAgeSeconds: intFrom(env, 'SQL_SNAPSHOT_MAX_AGE_SECONDS', 300, 0, 7 * 86_400),
      timeLimitSeconds: intFrom(env, 'SQL_TIME_LIMIT_SECONDS', 30, 1, 3600),
      maxRows: intFrom(env, 'SQL_MAX_ROWS', 10_000, 1, 1_000_000),
      memoryLimitMb: intFrom(env, 'SQL_MEMORY_LIMIT_MB', 512, 64, 1_048_576),
      threads: intFrom(env, 'SQL_THREADS', 1, 1, 64),
      maxConcurrent: intFrom(env, 'SQL_MAX_CONCURRENT', 2, 1, 256),
    },
    realtime: {
      intervalMs: intFrom(env, 'REALTIME_INTERVAL_MS', 1000, 0, 600_000),
      sweepMs: intFrom(env, 'REALTIME_SWEEP_MS', 60_000, 1000, 86_400_000),
    },
    adminApiKey: env.ADMIN_API_KEY || undefined,
    cursorSecret: env.CURSOR_SECRET || undefined,
    logLevel: env.LOG_LEVEL || 'info',
  };
}
