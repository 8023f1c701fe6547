/** Tag assignments and removals on users. */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { TagAssignmentSchema, TagRemovalSchema, changeTags } from '../../ingest/tags.ts';
import type { Services } from '../app.ts';
import { errors } from '../errors.ts';

export async function tagRoutes(app: FastifyInstance, { config, warehouse }: Services): Promise<void> {
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
      },
    },
    async (request) => {
      const body = request.body as Parameters<typeof changeTags>[2];
      if (!body.assignments?.length && !body.removals?.length) throw errors.validation('body.assignments: give assignments or removals', 'body.assignments');
      return changeTags(warehouse, request.principal.workspaceId, body);
    },
  );
}
