/**
 * One configuration object, read from the environment once at start-up, validated, and passed down.
 * Nothing below the CLI reads process.env.
 */
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
}

export interface AppConfig {
  dataDir: string;
  warehouse: WarehouseConfig;
  server: ServerConfig;
  /** When set, becomes the root admin key of workspace `default` on first start. */
  adminApiKey?: string;
  logLevel: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const MIN_RETENTION_MONTHS = 24;

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

/** Builds the configuration from environment variables (see README, "Configuration"). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const url = env.CLICKHOUSE_URL || undefined;
  const cluster = identifierFrom(env, 'CLICKHOUSE_CLUSTER', undefined);
  if (cluster && !url) throw new ConfigError('CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL: the embedded engine is a single node');
  const retention = intFrom(env, 'EVENT_RETENTION_MONTHS', 25, 1, 1200);
  if (retention < MIN_RETENTION_MONTHS) {
    throw new ConfigError(`EVENT_RETENTION_MONTHS must be at least ${MIN_RETENTION_MONTHS}: send records are kept 2 years (compliance)`);
  }
  return {
    dataDir,
    warehouse: {
      url,
      username: env.CLICKHOUSE_USER || 'default',
      password: env.CLICKHOUSE_PASSWORD || '',
      database: identifierFrom(env, 'CLICKHOUSE_DATABASE', 'sms')!,
      cluster,
      embeddedPath: path.resolve(env.CHDB_PATH || path.join(dataDir, 'chdb')),
      queryTimeoutSeconds: intFrom(env, 'QUERY_TIMEOUT_SECONDS', 30, 1, 3600),
      eventRetentionMonths: retention,
    },
    server: {
      host: env.HOST || '127.0.0.1',
      port: intFrom(env, 'PORT', 3000, 0, 65535),
      bodyLimitBytes: intFrom(env, 'BODY_LIMIT_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      maxEventsPerRequest: intFrom(env, 'MAX_EVENTS_PER_REQUEST', 10_000, 1, 1_000_000),
      maxPageSize: intFrom(env, 'MAX_PAGE_SIZE', 1000, 1, 100_000),
    },
    adminApiKey: env.ADMIN_API_KEY || undefined,
    logLevel: env.LOG_LEVEL || 'info',
  };
}
