/**
 * Rate limits (@fastify/rate-limit): at most RATE_LIMIT_PER_MINUTE requests a minute per API key (a web app
 * session counts as its key), or
 * per client IP for calls without a valid key (so random tokens share their sender's allowance);
 * past it a 429 RATE_LIMITED with Retry-After. Health, readiness and metrics are exempt: probes and
 * scrapers must never be refused. Buckets are named by key id, never by the token itself.
 */
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { credentialPrincipal } from './auth.ts';
import { errors } from '../common/errors.ts';

const EXEMPT_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
const isExempt = (request: FastifyRequest) => EXEMPT_ROUTES.has(request.routeOptions.url ?? '');

/** The bucket of a request: its key's id, else its IP. The key lookup is cached (the auth hook reuses it). */
async function bucketOf(request: FastifyRequest, wh: Warehouse): Promise<string> {
  if (isExempt(request)) return 'exempt';
  const principal = (await credentialPrincipal(request, wh))?.principal;
  // An IPv6 client is counted by its /64, as the plugin does by default: it can pick any address in it.
  return principal ? `key:${principal.keyId}` : `ip:${normalizeIP(request.ip)}`;
}

/** Counts every request before authentication (so failed ones count too); 0 per minute turns it off. */
export const rateLimitPlugin = fp(async (app: FastifyInstance, opts: { perMinute: number; warehouse: Warehouse }) => {
  if (opts.perMinute === 0) return;
  await app.register(rateLimit, {
    // Not per route: one instance-wide hook, added below ahead of the authentication hook.
    global: false,
    max: opts.perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => bucketOf(request, opts.warehouse),
    allowList: (request) => isExempt(request),
    errorResponseBuilder: (_request, context) => errors.rateLimited(opts.perMinute, Math.max(1, Math.ceil(context.ttl / 1000))),
  });
  app.addHook('onRequest', app.rateLimit());
});
