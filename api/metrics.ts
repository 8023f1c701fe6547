/** Prometheus metrics of one app instance (its own registry, so tests can build several apps). */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  eventsAccepted: Counter;
  eventsRejected: Counter;
}

export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    // No workspace label: /metrics is public and must not list workspaces or their volumes.
    eventsAccepted: new Counter({ name: 'smsp_events_accepted_total', help: 'Events accepted by the API', registers: [registry] }),
    eventsRejected: new Counter({ name: 'smsp_events_rejected_total', help: 'Events refused by validation', registers: [registry] }),
  };
}

/** Counts and times every request by route and status. */
export function instrumentRequests(app: FastifyInstance, metrics: ApiMetrics): void {
  const duration = new Histogram({
    name: 'smsp_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [metrics.registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}
