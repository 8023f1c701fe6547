/** The installation's status for its operator (admin only): the same object `smsp status` prints. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import Type from 'typebox';
import { platformStatus, type ServerInfo } from '../../analytics/platform-status.ts';
import { CountsByName, Nullable } from '../response-schemas.ts';
import type { Services } from '../services.ts';

const StatusAnswer = Type.Object({
  workspace: Type.String(),
  checked_at: Type.String(),
  server: Type.Object({
    running: Type.Boolean(),
    pid: Type.Optional(Type.Integer()),
    address: Type.Optional(Type.String()),
    started_at: Type.Optional(Type.String()),
    uptime_seconds: Type.Optional(Type.Integer()),
  }),
  engine: Type.Object({ kind: Type.Enum(['embedded', 'server']), location: Type.String(), database: Type.String() }),
  data: Type.Object({
    total_bytes: Type.Number(),
    tables: Type.Array(Type.Object({ table: Type.String(), bytes: Type.Number(), rows: Type.Number() })),
  }),
  migrations: Type.Object({ latest: Nullable(Type.String()), applied: Type.Integer(), pending: Type.Integer(), unknown: Type.Array(Type.String()) }),
  events_last_24h: Nullable(CountsByName),
  ingest: Type.Object({
    kafka: Type.Boolean(),
    topic: Type.Optional(Type.String()),
    group: Type.Optional(Type.String()),
    lag: Type.Optional(Nullable(Type.Integer())),
    error: Type.Optional(Type.String()),
  }),
  open_alerts: Nullable(Type.Integer()),
});

/** This process, as the server serving the request: its pid, where it listens and since when. */
function thisServer(app: FastifyInstance): ServerInfo {
  const listening = app.addresses().find((a): a is AddressInfo => typeof a !== 'string');
  const host = listening && (listening.family === 'IPv6' ? `[${listening.address}]` : listening.address);
  return {
    pid: process.pid,
    ...(listening && { address: `http://${host}:${listening.port}` }),
    started_at: new Date(Date.now() - process.uptime() * 1000).toISOString(),
  };
}

export const statusRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse, config }) => {
  app.get(
    '/status',
    {
      config: { roles: ['admin'] as const },
      schema: {
        summary: 'The installation: server, engine, data size per table, migrations, the last day’s events, ingest lag, open alerts',
        response: { 200: StatusAnswer },
      },
    },
    async (request) => platformStatus(warehouse, config, request.principal.workspaceId, { server: thisServer(app), kafkaLogger: request.log }),
  );
};
