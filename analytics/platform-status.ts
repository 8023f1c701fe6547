/**
 * `smsp status` and `GET /v1/status`: one picture of an installation for its operator. The server part
 * comes from the caller (the running server knows itself; the CLI reads the server record); the rest is
 * read here. Data size and migrations are global (the whole database); events and alerts are the workspace's.
 */
import type { AppConfig } from '../config/config.ts';
import type { EventType } from '../ingest/event-schema.ts';
import { totalLagNow } from '../ingest/kafka/lag-monitor.ts';
import type { KafkaLogTarget } from '../ingest/kafka/kafka-logger.ts';
import { migrationStatus } from '../warehouse/migrations.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { countOpenAlerts } from './alerts.ts';
import { eventSummary } from './event-reads.ts';

/** A server process serving this installation. */
export interface ServerInfo {
  pid: number;
  /** http://host:port; absent when the app answers without a listener (tests' inject). */
  address?: string;
  started_at: string;
}

export interface PlatformStatus {
  workspace: string;
  checked_at: string;
  server: { running: false } | ({ running: true; uptime_seconds: number } & ServerInfo);
  /** Embedded: its data directory; server: its URL without credentials. */
  engine: { kind: 'embedded' | 'server'; location: string; database: string };
  data: { total_bytes: number; tables: { table: string; bytes: number; rows: number }[] };
  /** `latest` is the newest version recorded as applied (a newer smsp's included), null before the first migration. */
  migrations: { latest: string | null; applied: number; pending: number; unknown: string[] };
  /** Events per type stored in the last 24 hours; null while the schema is not current (nothing is read from it then). */
  events_last_24h: Record<EventType, number> | null;
  ingest: { kafka: false } | { kafka: true; topic: string; group: string; lag: number | null; error?: string };
  open_alerts: number | null;
}

const DAY_MS = 86_400_000;

/** A URL as it may be shown: no user or password. */
function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable URL)';
  }
}

async function ingestStatus(config: AppConfig, logger: KafkaLogTarget): Promise<PlatformStatus['ingest']> {
  const { kafka } = config;
  if (!kafka.brokers?.length) return { kafka: false };
  const where = { kafka: true as const, topic: kafka.eventsTopic, group: kafka.groupId };
  try {
    return { ...where, lag: await totalLagNow(kafka, logger) };
  } catch (err) {
    return { ...where, lag: null, error: err instanceof Error ? err.message : String(err) };
  }
}

/** The status of the installation as seen from `workspaceId`. */
export async function platformStatus(
  wh: Warehouse,
  config: AppConfig,
  workspaceId: string,
  opts: { server?: ServerInfo; kafkaLogger: KafkaLogTarget; nowMs?: number },
): Promise<PlatformStatus> {
  const nowMs = opts.nowMs ?? Date.now();
  const [migrations, sizes, ingest] = await Promise.all([
    migrationStatus(wh),
    wh.query<{ table: string; bytes: string; rows: string }>(sql('system/table-sizes')),
    ingestStatus(config, opts.kafkaLogger),
  ]);
  const tables = sizes.map((r) => ({ table: r.table, bytes: Number(r.bytes), rows: Number(r.rows) }));
  // Tables of a schema that is behind (or ahead) may not have the shapes these reads expect.
  const current = migrations.pending.length === 0 && migrations.unknown.length === 0;
  const [summary, openAlerts] = current
    ? await Promise.all([eventSummary(wh, workspaceId, nowMs - DAY_MS, nowMs, 'UTC'), countOpenAlerts(wh, workspaceId)])
    : [undefined, null];
  const appliedVersions = [...migrations.applied.map((name) => name.slice(0, 4)), ...migrations.unknown].sort();
  const { server } = opts;
  return {
    workspace: workspaceId,
    checked_at: new Date(nowMs).toISOString(),
    server: server ? { running: true, ...server, uptime_seconds: Math.max(0, Math.round((nowMs - Date.parse(server.started_at)) / 1000)) } : { running: false },
    engine: wh.config.url
      ? { kind: 'server', location: withoutCredentials(wh.config.url), database: wh.database }
      : { kind: 'embedded', location: wh.config.embeddedPath, database: wh.database },
    data: { total_bytes: tables.reduce((sum, t) => sum + t.bytes, 0), tables },
    migrations: {
      latest: appliedVersions.at(-1) ?? null,
      applied: appliedVersions.length,
      pending: migrations.pending.length,
      unknown: migrations.unknown,
    },
    events_last_24h: summary ? summary.events : null,
    ingest,
    open_alerts: openAlerts,
  };
}
