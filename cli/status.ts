/**
 * `smsp status [--json] [--workspace W]`: the installation at a glance. Beside a running server (or with SMSP_URL)
 * it asks the server (`GET /v1/status`); with none it opens the engine read-only, without migrating, and calls
 * the same function; both paths print through renderStatus.
 */
import pino from 'pino';
import { DEFAULT_WORKSPACE } from '../access/api-keys.ts';
import { platformStatus, type PlatformStatus } from '../analytics/platform-status.ts';
import { loadConfig } from '../config/config.ts';
import { openWarehouse } from '../warehouse/warehouse.ts';
import { stringFlag, type Flags } from './args.ts';
import { printResult } from './output.ts';
import { serverClient } from './server-client.ts';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** 7384 -> "2h 03m 04s". */
function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return d ? `${d}d ${h}h ${pad(m)}m` : h ? `${h}h ${pad(m)}m ${pad(s)}s` : `${m}m ${pad(s)}s`;
}

const count = (n: number) => n.toLocaleString('en-US');

function serverLine(server: PlatformStatus['server']): string {
  if (!server.running) return 'not running';
  return `running${server.address ? ` at ${server.address}` : ''} (pid ${server.pid}, up ${formatUptime(server.uptime_seconds)})`;
}

function migrationsLine(m: PlatformStatus['migrations']): string {
  const parts = [
    `${m.applied} applied`,
    `latest ${m.latest ?? 'none'}`,
    m.pending ? `${m.pending} pending (smsp migrate or serve applies them)` : 'none pending',
  ];
  if (m.unknown.length) parts.push(`unknown to this version: ${m.unknown.join(', ')} (a newer smsp migrated it)`);
  return parts.join(', ');
}

function ingestLine(ingest: PlatformStatus['ingest']): string {
  if (!ingest.kafka) return 'no Kafka (events are written to the warehouse directly)';
  const lag = ingest.lag === null ? `lag unknown (${ingest.error ?? 'no answer'})` : `lag ${count(ingest.lag)} message(s)`;
  return `Kafka topic ${ingest.topic}, group ${ingest.group}: ${lag}`;
}

/** The status as a person reads it: one labelled line per part, tables and event types indented. */
export function renderStatus(status: PlatformStatus): string {
  const label = (name: string, value: string) => `${name.padEnd(13)}${value}`;
  const lines = [
    label('server', serverLine(status.server)),
    label('engine', `${status.engine.kind}, ${status.engine.location} (database ${status.engine.database})`),
    label('data', `${formatBytes(status.data.total_bytes)} on disk`),
    ...status.data.tables.map((t) => `${''.padEnd(15)}${t.table.padEnd(28)}${formatBytes(t.bytes).padStart(11)}${count(t.rows).padStart(14)} rows`),
    label('migrations', migrationsLine(status.migrations)),
    label(
      'events 24 h',
      status.events_last_24h === null
        ? 'not read (the schema is not current)'
        : `${Object.entries(status.events_last_24h)
            .map(([type, n]) => `${type} ${count(n)}`)
            .join(', ')} (workspace ${status.workspace})`,
    ),
    label('ingest', ingestLine(status.ingest)),
    label('open alerts', status.open_alerts === null ? 'not read (the schema is not current)' : count(status.open_alerts)),
  ];
  return `${lines.join('\n')}\n`;
}

export async function statusCommand(flags: Flags): Promise<void> {
  const workspace = stringFlag(flags, 'workspace');
  const print = (status: PlatformStatus) => printResult(flags, status, (st) => renderStatus(st).trimEnd());
  // A running server (or SMSP_URL) holds the engine: it answers for itself.
  const server = serverClient();
  if (server) return print(await server.json<PlatformStatus>('GET', '/status', { workspace }));
  const config = loadConfig();
  const warehouse = await openWarehouse(config.warehouse);
  try {
    print(await platformStatus(warehouse, config, workspace ?? DEFAULT_WORKSPACE, { kafkaLogger: pino({ level: 'silent' }) }));
  } finally {
    await warehouse.close();
  }
}
