/** API keys of the caller's workspace (admin only). A key is shown once, when created. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import { createKeyAs, listApiKeys, revokeApiKey } from '../../access/api-keys.ts';
import { ROLES } from '../../access/roles.ts';
import type { Services } from '../services.ts';
import { errors } from '../../common/errors.ts';
import { NoContent } from '../response-schemas.ts';

const Role = Type.Enum([...ROLES]);
const CreatedKey = Type.Object({
  key: Type.String({ description: 'The secret: shown this once' }),
  key_id: Type.String(),
  workspace: Type.String(),
  role: Role,
  name: Type.String(),
});
export type CreatedKeyAnswer = Static<typeof CreatedKey>;
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
      const created = await createKeyAs(warehouse, request.principal, request.body);
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
      if (!(await revokeApiKey(warehouse, request.principal.workspaceId, key_id, request.principal))) throw errors.notFound(`key ${key_id}`);
      return reply.status(204).send();
    },
  );
};
