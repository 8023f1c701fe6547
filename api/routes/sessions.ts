/**
 * Web app sign-in and sign-out. The key is typed once and exchanged for a session cookie (HttpOnly, so no script
 * reads it; SameSite=Strict, so no other site sends it; Secure when the request came over https), which then
 * authenticates the app's calls to the same API as everyone else's. The key itself is never stored by the page.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ROLES } from '../../access/roles.ts';
import { endSession, SESSION_HOURS, startSession } from '../../access/sessions.ts';
import { errors } from '../../common/errors.ts';
import { SESSION_COOKIE, sessionSecret } from '../auth.ts';
import { NoContent } from '../response-schemas.ts';
import type { Services } from '../services.ts';

const SessionAnswer = Type.Object({
  workspace: Type.String(),
  role: Type.Enum([...ROLES]),
  is_root: Type.Boolean(),
  /** How this request was authenticated. */
  via: Type.Enum(['key', 'session']),
  /** When the session ends (null for a request made with a key). */
  expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, secret: string, expiresAtMs: number): void {
  reply.setCookie(SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path: '/',
    expires: new Date(expiresAtMs),
  });
}

export const sessionRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse }) => {
  app.post(
    '/sessions',
    {
      // Public: the key in the body is the credential.
      config: { roles: 'public' },
      schema: {
        summary: `Sign in to the web app: exchange an API key for a session cookie (${SESSION_HOURS} h)`,
        security: [],
        body: Type.Object({ key: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
        response: { 201: SessionAnswer },
      },
    },
    async (request, reply) => {
      const started = await startSession(warehouse, request.body.key);
      if (!started) throw errors.unauthorized();
      const { principal, expiresAtMs } = started.session;
      setSessionCookie(request, reply, started.secret, expiresAtMs);
      return reply.status(201).send({
        workspace: principal.workspaceId,
        role: principal.role,
        is_root: principal.isRoot,
        via: 'session' as const,
        expires_at: new Date(expiresAtMs).toISOString(),
      });
    },
  );

  app.get(
    '/session',
    {
      config: { roles: [...ROLES] },
      schema: { summary: 'Who the caller is: workspace, role, and (for the web app) when the session ends', response: { 200: SessionAnswer } },
    },
    async (request) => {
      const { workspaceId, role, isRoot } = request.principal;
      const { via, expiresAtMs } = request.credential;
      return { workspace: workspaceId, role, is_root: isRoot, via, expires_at: expiresAtMs === undefined ? null : new Date(expiresAtMs).toISOString() };
    },
  );

  app.delete(
    '/session',
    {
      config: { roles: [...ROLES] },
      schema: { summary: 'Sign out of the web app: the session ends and its cookie is cleared', response: { 204: NoContent } },
    },
    async (request, reply) => {
      const secret = sessionSecret(request);
      if (secret) await endSession(warehouse, secret);
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
      return reply.status(204).send();
    },
  );
};
