/**
 * Authentication and role checks. Every route declares `config.roles`: a list of roles, or
 * 'public'. A route without a declaration makes the app refuse to start.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { actingIn, authenticate, WORKSPACE_HEADER } from '../access/api-keys.ts';
import { ROLES, type Principal, type Role } from '../access/roles.ts';
import { sessionOf } from '../access/sessions.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { errors } from '../common/errors.ts';

export type RouteRoles = readonly Role[] | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: RouteRoles;
  }
  interface FastifyRequest {
    principal: Principal;
    credential: Credential;
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

/** How a request proved who sent it: an API key, or a web app session (with its end). */
export interface Credential {
  principal: Principal | null;
  via: 'key' | 'session';
  expiresAtMs?: number;
}

/** The cookie that holds a web app session's secret (HttpOnly: no script reads it). */
export const SESSION_COOKIE = 'smsp_session';
/**
 * A request authenticated by the session cookie must carry this header to change anything: a page on another
 * origin cannot add it without a CORS preflight, which this server never grants (SameSite=Strict is the first line).
 */
export const APP_HEADER = 'x-smsp-app';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The web app session's secret in the request's cookie, if any. */
export const sessionSecret = (request: FastifyRequest): string | undefined => request.cookies?.[SESSION_COOKIE] || undefined;

/** Who sent the request: the `Authorization: Bearer` key when there is one, else the web app's session. */
export async function credentialPrincipal(request: FastifyRequest, wh: Warehouse): Promise<Credential | undefined> {
  const token = bearerToken(request);
  if (token) return { principal: await authenticate(wh, token), via: 'key' };
  const secret = sessionSecret(request);
  if (!secret) return undefined;
  const session = await sessionOf(wh, secret);
  return { principal: session?.principal ?? null, via: 'session', expiresAtMs: session?.expiresAtMs };
}

export const authPlugin = fp(async (app: FastifyInstance, opts: { warehouse: Warehouse }) => {
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('credential', null as unknown as Credential);
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
    const credential = await credentialPrincipal(request, opts.warehouse);
    const principal = credential?.principal;
    if (!principal) throw errors.unauthorized();
    request.credential = credential;
    if (credential.via === 'session' && !SAFE_METHODS.has(request.method) && request.headers[APP_HEADER] !== '1') throw errors.appHeaderMissing(APP_HEADER);
    if (!roles.includes(principal.role)) throw errors.forbidden(principal.role);
    const named = request.headers[WORKSPACE_HEADER];
    request.principal = typeof named === 'string' ? actingIn(principal, named, `headers.${WORKSPACE_HEADER}`) : principal;
  });
});
