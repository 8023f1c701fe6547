/** Tag assignments and removals on users. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { TagAssignmentSchema, TagRemovalSchema, changeTags } from '../../ingest/tags.ts';
import type { Services } from '../services.ts';

export const tagRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  const max = config.server.maxEventsPerRequest;
  app.post(
    '/tags',
    {
      config: { roles: ['admin', 'marketer'] },
      schema: {
        summary: 'Assign and remove tags',
        description: 'Removals apply after assignments of the same call.',
        body: Type.Object(
          {
            assignments: Type.Optional(Type.Array(TagAssignmentSchema, { maxItems: max })),
            removals: Type.Optional(Type.Array(TagRemovalSchema, { maxItems: max })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ assigned: Type.Integer(), removed: Type.Integer() }) },
      },
    },
    async (request) => {
      const { body } = request;
      return changeTags(warehouse, request.principal.workspaceId, body);
    },
  );
};
