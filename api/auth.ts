/**
 * Authentication and role checks. Every route declares `config.roles`: a list of roles, or
 * 'public'. A route without a declaration makes the app refuse to start.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { actingIn, authenticate, WORKSPACE_HEADER } from '../access/api-keys.ts';
import { ROLES, type Principal, type Role } from '../access/roles.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { errors } from '../common/errors.ts';

export type RouteRoles = readonly Role[] | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: RouteRoles;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

export class RouteWithoutRolesError extends Error {
  override name = 'RouteWithoutRolesError';
}

/** Throws unless the route declares who may call it. */
export function assertRolesDeclared(route: Pick<RouteOptions, 'method' | 'url' | 'config'>): void {
  const roles = (route.config as { roles?: RouteRoles } | undefined)?.roles;
  const ok = roles === 'public' || (Array.isArray(roles) && roles.length > 0 && roles.every((r) => ROLES.includes(r)));
  if (!ok) throw new RouteWithoutRolesError(`route ${String(route.method)} ${route.url} declares no roles (config.roles)`);
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export const authPlugin = fp(async (app: FastifyInstance, opts: { warehouse: Warehouse }) => {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRoute', (route) => {
    // fastify adds HEAD twins of GET routes with the same config; checking the GET is enough.
    if (route.method === 'HEAD') return;
    assertRolesDeclared(route);
  });
  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config.roles;
    if (roles === 'public' || request.is404) return;
    // A matched route without roles is a bug; refuse rather than serve it unauthenticated.
    if (roles === undefined) throw errors.internal();
    const token = bearerToken(request);
    if (!token) throw errors.unauthorized();
    const principal = await authenticate(opts.warehouse, token);
    if (!principal) throw errors.unauthorized();
    if (!roles.includes(principal.role)) throw errors.forbidden(principal.role);
    const named = request.headers[WORKSPACE_HEADER];
    request.principal = typeof named === 'string' ? actingIn(principal, named, `headers.${WORKSPACE_HEADER}`) : principal;
  });
});
