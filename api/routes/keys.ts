/** API keys of the caller's workspace (admin only). A key is shown once, when created. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { createApiKey, listApiKeys, revokeApiKey, RootKeyError } from '../../access/api-keys.ts';
import { ROLES } from '../../access/roles.ts';
import type { Services } from '../app.ts';
import { ApiError, errors } from '../errors.ts';
import { NoContent } from '../response-schemas.ts';

const Role = Type.Enum([...ROLES]);
const CreatedKey = Type.Object({
  key: Type.String({ description: 'The secret: shown this once' }),
  key_id: Type.String(),
  workspace: Type.String(),
  role: Role,
  name: Type.String(),
});
const KeyInfo = Type.Object({ key_id: Type.String(), name: Type.String(), role: Role, revoked: Type.Boolean() });

export const keyRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse }) => {
  app.post(
    '/keys',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Create an API key (the answer is the only time the key is shown)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 128 }),
            role: Type.Enum([...ROLES]),
            workspace: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: "Defaults to the caller's workspace" })),
          },
          { additionalProperties: false },
        ),
        response: { 201: CreatedKey },
      },
    },
    async (request, reply) => {
      const { body, principal } = request;
      const workspace = body.workspace ?? principal.workspaceId;
      // Only the bootstrap key may reach into (or create) another workspace.
      if (workspace !== principal.workspaceId && !principal.isRoot) {
        throw new ApiError(403, 'FORBIDDEN', 'an admin key may only create keys in its own workspace', 'body.workspace');
      }
      const created = await createApiKey(warehouse, { workspace, role: body.role, name: body.name, createdBy: principal.keyId });
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/keys',
    {
      config: { roles: ['admin'] },
      schema: { summary: "The workspace's keys (never their secrets)", response: { 200: Type.Object({ keys: Type.Array(KeyInfo) }) } },
    },
    async (request) => ({ keys: await listApiKeys(warehouse, request.principal.workspaceId) }),
  );

  app.delete(
    '/keys/:key_id',
    {
      config: { roles: ['admin'] },
      schema: { summary: 'Revoke a key', params: Type.Object({ key_id: Type.String({ maxLength: 64 }) }), response: { 204: NoContent } },
    },
    async (request, reply) => {
      const { key_id } = request.params;
      try {
        if (!(await revokeApiKey(warehouse, request.principal.workspaceId, key_id, request.principal))) throw errors.notFound(`key ${key_id}`);
      } catch (err) {
        if (err instanceof RootKeyError) throw new ApiError(403, 'FORBIDDEN', err.message);
        throw err;
      }
      return reply.status(204).send();
    },
  );
};
