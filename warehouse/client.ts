/**
 * The warehouse port: one factory that returns a @clickhouse/client client, talking either to the
 * embedded engine (chDB, in-process) or to a ClickHouse server. Everything above it speaks one SQL dialect.
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Session } from 'chdb';
import { createChdbConnection } from 'chdb/connection';
import fs from 'node:fs';
import type { WarehouseConfig } from '../config/config.ts';

type ClientOptions = NonNullable<Parameters<typeof createClient>[0]>;

export type WarehouseKind = 'embedded' | 'server';

export interface ConnectedClient {
  client: ClickHouseClient;
  kind: WarehouseKind;
}

/**
 * Creates the client and makes sure `config.database` exists and is the one queries run in.
 *
 * chDB ignores the client's `database` option, so the embedded session switches with `USE`
 * (a session keeps its current database; each client has its own session).
 */
export async function createWarehouseClient(config: WarehouseConfig): Promise<ConnectedClient> {
  if (config.url) {
    const bootstrap = createClient({ url: config.url, username: config.username, password: config.password });
    try {
      const onCluster = config.cluster ? ` ON CLUSTER ${config.cluster}` : '';
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.database}${onCluster}` });
    } finally {
      await bootstrap.close();
    }
    const client = createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      database: config.database,
      request_timeout: (config.queryTimeoutSeconds + 30) * 1000,
    });
    return { client, kind: 'server' };
  }
  fs.mkdirSync(config.embeddedPath, { recursive: true });
  // Engine configuration (not settings) is taken only by the first connection of a process: a session opened
  // first with the backup root as `backups.allowed_path` starts the engine with it, so BACKUP TO File() works
  // there and nowhere else. Closing it leaves the engine to the client's connection.
  const starter = new Session(config.embeddedPath, { connectionArgs: [`--backups.allowed_path=${config.backupRoot}`] });
  // chdb types its connection against its own copy of @clickhouse/client-common; the shapes are the same.
  const connection = createChdbConnection({ path: config.embeddedPath }) as unknown as NonNullable<ClientOptions['connection']>;
  starter.close();
  const client = createClient({ connection });
  // The database name is a validated identifier from configuration, never a user value.
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.database}` });
  await client.command({ query: `USE ${config.database}` });
  return { client, kind: 'embedded' };
}
