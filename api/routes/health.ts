/** Liveness, readiness and Prometheus metrics: public, and free of any workspace's data. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { migrationStatus } from '../../warehouse/migrations.ts';
import type { Services } from '../services.ts';

/** A part of the process that may not be ready yet (Kafka ingest, the Kafka event intake), and why. */
const Unavailable = Type.Object({ status: Type.Literal('unavailable'), reason: Type.String() });
const Ready = Type.Object({ status: Type.Literal('ready'), warehouse: Type.String(), migrations: Type.Integer() });

export const healthRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse, metrics, readiness = [] }) => {
  app.get('/healthz', { config: { roles: 'public' }, schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }));

  app.get('/readyz', { config: { roles: 'public' }, schema: { hide: true, response: { 200: Ready, 503: Unavailable } } }, async (_request, reply) => {
    try {
      if (!(await warehouse.ping())) return reply.status(503).send({ status: 'unavailable', reason: 'warehouse does not answer' });
      const { applied, pending } = await migrationStatus(warehouse);
      if (pending.length) return reply.status(503).send({ status: 'unavailable', reason: `migrations pending: ${pending.join(', ')}` });
      // The API answers meanwhile; a load balancer or operator sees what is still connecting.
      const waiting = readiness.map((p) => p.readiness()).flatMap((r) => (r.ready ? [] : [r.reason]));
      if (waiting.length) return reply.status(503).send({ status: 'unavailable', reason: waiting.join('; ') });
      return { status: 'ready' as const, warehouse: warehouse.kind, migrations: applied.length };
    } catch (err) {
      _request.log.warn({ err }, 'readiness check failed');
      return reply.status(503).send({ status: 'unavailable', reason: 'warehouse check failed' });
    }
  });

  app.get('/metrics', { config: { roles: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
