/** Computed tags: tags defined by a rule, versioned, refreshed on demand (or on their schedule, by the scheduler). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import { errors } from '../../common/errors.ts';
import {
  createComputedTag,
  deleteComputedTag,
  getComputedTag,
  listComputedTags,
  redefineComputedTag,
  refreshComputedTag,
} from '../../segmentation/computed-tags.ts';
import { pagedListSchema, readPage } from '../cursor.ts';
import { AnyJson, NoContent, Nullable, Versioned } from '../response-schemas.ts';
import type { Services } from '../services.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Definition = Type.Object(
  {
    tag: Type.String({ minLength: 1, maxLength: 64 }),
    value: Type.Optional(Type.String({ maxLength: 256, description: "The tag's value ('' or left out: none)" })),
    // Checked by the domain like a segment rule: a problem names its JSON path (body.rule.all[1].op).
    rule: Type.Unknown({ description: 'A segment rule (see README: the rule DSL); it may not name the tag it defines' }),
    schedule: Type.Optional(Nullable(Type.String({ maxLength: 200, description: "5-field cron, in the workspace's time zone; null: on demand only" }))),
    enabled: Type.Optional(Type.Boolean({ description: 'false: the schedule does not run (default true)' })),
  },
  { additionalProperties: false },
);
const ComputedTag = Versioned(
  Type.Object({ tag: Type.String(), value: Type.String(), rule: AnyJson, schedule: Nullable(Type.String()), enabled: Type.Boolean() }),
);
const Refreshed = Type.Object({
  tag: Type.String(),
  value: Type.String(),
  members: Type.Integer({ description: 'Contacts the rule matches now; each carries the tag' }),
  added: Type.Integer(),
  removed: Type.Integer(),
  refreshed_at: Type.String({ description: 'ISO 8601, UTC: the instant the rule was evaluated at' }),
});
/** What a refresh answers (the CLI prints the same). */
export type RefreshedAnswer = Static<typeof Refreshed>;

export const computedTagRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  const writers = { roles: ['marketer', 'admin'] as const };
  const readers = { roles: ['marketer', 'admin', 'analyst'] as const };
  const saveOptions = (changedBy: string) => ({ changedBy, minIntervalMinutes: config.server.scheduleMinIntervalMinutes });

  app.post(
    '/computed-tags',
    { config: writers, schema: { summary: 'Define a computed tag: a tag its rule keeps true', body: Definition, response: { 201: ComputedTag } } },
    async (request, reply) => {
      const saved = await createComputedTag(warehouse, request.principal.workspaceId, request.body, saveOptions(request.principal.keyId));
      return reply.status(201).send(saved);
    },
  );

  app.get(
    '/computed-tags',
    { config: readers, schema: pagedListSchema('Computed tag definitions, a page at a time', 'computed_tags', ComputedTag, config.server.maxPageSize) },
    (request) =>
      readPage(
        'computed_tags',
        request.query,
        (limit, after) => listComputedTags(warehouse, request.principal.workspaceId, limit, after),
        (d) => d.id,
      ),
  );

  app.get(
    '/computed-tags/:id',
    { config: readers, schema: { summary: 'One computed tag definition (newest version)', params: IdParams, response: { 200: ComputedTag } } },
    async (request) => {
      const definition = await getComputedTag(warehouse, request.principal.workspaceId, request.params.id);
      if (!definition) throw errors.notFound(`computed tag ${request.params.id}`);
      return definition;
    },
  );

  app.put(
    '/computed-tags/:id',
    {
      config: writers,
      schema: {
        summary: 'Redefine a computed tag (a new version); a new tag name or value takes the old one from its contacts',
        params: IdParams,
        body: Definition,
        response: { 200: ComputedTag },
      },
    },
    async (request) => {
      const { id } = request.params;
      const saved = await redefineComputedTag(warehouse, request.principal.workspaceId, id, request.body, saveOptions(request.principal.keyId));
      if (!saved) throw errors.notFound(`computed tag ${id}`);
      return saved;
    },
  );

  app.delete(
    '/computed-tags/:id',
    {
      config: writers,
      schema: { summary: 'Delete a computed tag: its contacts lose the tag it gave them', params: IdParams, response: { 204: NoContent } },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await deleteComputedTag(warehouse, request.principal.workspaceId, id, request.principal.keyId))) throw errors.notFound(`computed tag ${id}`);
      return reply.status(204).send();
    },
  );

  app.post(
    '/computed-tags/:id/refresh',
    {
      config: writers,
      schema: {
        summary: 'Evaluate the rule now: matching contacts gain the tag, former members lose it (rows of other sources stay)',
        params: IdParams,
        response: { 200: Refreshed },
      },
    },
    (request) => refreshComputedTag(warehouse, request.principal.workspaceId, request.params.id),
  );
};
