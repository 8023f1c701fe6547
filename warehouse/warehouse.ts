/**
 * The query runner every service uses. Values are always bound as server-side parameters
 * ({name:Type} in the SQL, `params` here); per-query settings go into the statement's own SETTINGS
 * clause, because chDB turns client-side settings into session-wide SETs that would leak into
 * later queries (an insert_deduplication_token that stays set silently drops the next insert).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Readable } from 'node:stream';
import { errors } from '../common/errors.ts';
import type { WarehouseConfig } from '../config/config.ts';
import { createWarehouseClient, type WarehouseKind } from './client.ts';

export type QueryParams = Record<string, unknown>;
export type SettingValue = number | boolean | string;

export interface QueryOptions {
  /** Overrides the configured max_execution_time for this statement, in seconds. */
  timeoutSeconds?: number;
  settings?: Record<string, SettingValue>;
}

export interface InsertOptions {
  /** Same token, same table: ClickHouse keeps the first block and drops the retries. */
  dedupToken?: string;
}

const SETTING_NAME = /^[a-z_][a-z0-9_]*$/;
const SAFE_STRING_SETTING = /^[A-Za-z0-9_.:\-/]*$/;

/** Renders a SETTINGS clause from trusted, validated settings (names and values are checked here). */
export function settingsClause(settings: Record<string, SettingValue>): string {
  const parts = Object.entries(settings).map(([name, value]) => {
    if (!SETTING_NAME.test(name)) throw new Error(`invalid setting name ${JSON.stringify(name)}`);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error(`setting ${name} must be finite`);
      return `${name} = ${value}`;
    }
    if (typeof value === 'boolean') return `${name} = ${value ? 1 : 0}`;
    if (!SAFE_STRING_SETTING.test(value)) throw new Error(`setting ${name} has characters outside [A-Za-z0-9_.:-/]`);
    return `${name} = '${value}'`;
  });
  return parts.length ? `SETTINGS ${parts.join(', ')}` : '';
}

function isTimeout(err: unknown): boolean {
  const e = err as { type?: string; code?: string; message?: string };
  return e?.type === 'TIMEOUT_EXCEEDED' || e?.code === '159' || /TIMEOUT_EXCEEDED|Timeout exceeded/.test(e?.message ?? '');
}

export class Warehouse {
  constructor(
    readonly client: ClickHouseClient,
    readonly kind: WarehouseKind,
    readonly config: WarehouseConfig,
  ) {}

  get database(): string {
    return this.config.database;
  }

  private withSettings(statement: string, opts: QueryOptions = {}): string {
    const settings = { max_execution_time: opts.timeoutSeconds ?? this.config.queryTimeoutSeconds, ...opts.settings };
    return `${statement}\n${settingsClause(settings)}`;
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      // A statement past its time limit (ClickHouse TIMEOUT_EXCEEDED) is QUERY_TIMEOUT for callers.
      if (isTimeout(err)) throw errors.queryTimeout().causedBy(err);
      throw err;
    }
  }

  /** Runs a SELECT and returns its rows as objects. */
  async query<T = Record<string, unknown>>(statement: string, params: QueryParams = {}, opts?: QueryOptions): Promise<T[]> {
    return this.guard(async () => {
      const rs = await this.client.query({ query: this.withSettings(statement, opts), query_params: params, format: 'JSONEachRow' });
      return rs.json<T>();
    });
  }

  /** Runs a statement that returns nothing (DDL, ALTER, INSERT ... SELECT). */
  async command(statement: string, params: QueryParams = {}, opts?: QueryOptions): Promise<void> {
    await this.guard(() => this.client.command({ query: this.withSettings(statement, opts), query_params: params }));
  }

  /** Runs DDL as written (no SETTINGS clause: CREATE/ALTER do not all accept one). */
  async ddl(statement: string): Promise<void> {
    await this.client.command({ query: statement });
  }

  /** Inserts rows as JSONEachRow, synchronously: when it resolves, the rows are stored and visible. */
  async insert(table: string, rows: readonly object[], opts: InsertOptions = {}): Promise<void> {
    if (rows.length === 0) return;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new Error(`invalid table name ${JSON.stringify(table)}`);
    const settings: Record<string, SettingValue> = { async_insert: 0 };
    if (opts.dedupToken !== undefined) settings.insert_deduplication_token = opts.dedupToken;
    // A Distributed table queues inserts by default; "stored when the call returns" needs them sent now.
    if (this.config.cluster) settings.distributed_foreground_insert = 1;
    // The client renders `INSERT INTO <table> FORMAT JSONEachRow`; the SETTINGS clause rides in the table slot.
    await this.client.insert({ table: `${table} ${settingsClause(settings)}`, values: rows as object[], format: 'JSONEachRow' });
  }

  /** Streams a query's raw output in any ClickHouse format (ArrowStream, CSVWithNames, JSONEachRow...). */
  async stream(statement: string, params: QueryParams, format: string, opts?: QueryOptions): Promise<Readable> {
    if (!/^[A-Za-z]+$/.test(format)) throw new Error(`invalid format ${JSON.stringify(format)}`);
    return this.guard(async () => {
      const result = await this.client.exec({ query: `${this.withSettings(statement, opts)}\nFORMAT ${format}`, query_params: params });
      return result.stream;
    });
  }

  /** True when the engine answers a trivial query. */
  async ping(): Promise<boolean> {
    const r = await this.client.ping();
    return r.success;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Connects to the configured warehouse (embedded by default) and returns the query runner. */
export async function openWarehouse(config: WarehouseConfig): Promise<Warehouse> {
  const { client, kind } = await createWarehouseClient(config);
  return new Warehouse(client, kind, config);
}
