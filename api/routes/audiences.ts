/** Audience snapshots: their versions and streamed exports for the sending side. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import { canSeePhoneNumbers } from '../../access/roles.ts';
import { audienceVersions, deleteAudienceVersion, getAudience, listAudiences } from '../../segmentation/audiences.ts';
import { audienceDiffCounts, checkedDiffRange, diffAudiencePage } from '../../segmentation/audience-diffs.ts';
import { EXPORT_FIELDS, EXPORT_FORMATS, exportAudiencePage, exportFieldsOf, type ExportFormat } from '../../segmentation/exports.ts';
import type { Services } from '../services.ts';
import { errors } from '../../common/errors.ts';
import { decodeCursor, encodeCursor, pagedListSchema, readPage } from '../cursor.ts';
import { AnyJson, CountsByName, NoContent, Versioned } from '../response-schemas.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
/** One snapshot; open, as allocation snapshots add their own fields. */
const AudienceSnapshot = {
  version: Type.Integer({ description: "The snapshot's version" }),
  segment_id: Type.String(),
  segment_version: Type.Integer(),
  eligibility: AnyJson,
  timezone: Type.String(),
  materialized_at: Type.String(),
  size: Type.Integer(),
  matched: Type.Integer(),
  excluded: CountsByName,
  deleted_versions: Type.Optional(Type.Array(Type.Integer())),
};
const AudienceOut = Type.Object(
  { id: Type.String(), ...AudienceSnapshot, versions: Type.Array(Type.Object(AudienceSnapshot, { additionalProperties: true })) },
  { additionalProperties: true },
);
export type AudienceAnswer = Static<typeof AudienceOut>;
export const MAX_EXPORT_PAGE = 100_000;

/** The query of a streamed page of members (an export's or a diff's). */
const StreamedPageQuery = {
  format: Type.Optional(Type.Enum(Object.keys(EXPORT_FORMATS) as ExportFormat[])),
  fields: Type.Optional(Type.String({ maxLength: 256, description: `Comma-separated, from: ${EXPORT_FIELDS.join(', ')} (default user_id,phone)` })),
  cursor: Type.Optional(Type.String({ maxLength: 1024 })),
  limit: Type.Integer({ minimum: 1, maximum: MAX_EXPORT_PAGE, default: 10_000 }),
};
const DiffRangeQuery = {
  from: Type.Integer({ minimum: 1, description: 'The older snapshot' }),
  to: Type.Integer({ minimum: 1, description: 'The newer snapshot (from = to: an empty diff)' }),
};
const DiffSummary = Type.Object({ from: Type.Integer(), to: Type.Integer(), added: Type.Integer(), removed: Type.Integer() });

/** An audience in a list: its record with the newest snapshot (which may since have been deleted: see GET /v1/audiences/:id). */
const AudienceListed = Versioned(Type.Object(AudienceSnapshot, { additionalProperties: true }));

export const audienceRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  app.get(
    '/audiences',
    {
      config: { roles: ['marketer', 'admin', 'analyst', 'sender'] },
      schema: pagedListSchema(
        'Audiences (one per materialized segment or experiment variant), a page at a time',
        'audiences',
        AudienceListed,
        config.server.maxPageSize,
      ),
    },
    (request) =>
      readPage(
        'audiences',
        request.query,
        (limit, after) => listAudiences(warehouse, request.principal.workspaceId, limit, after),
        (a) => a.id,
      ),
  );

  app.get(
    '/audiences/:id',
    {
      config: { roles: ['marketer', 'admin', 'analyst', 'sender'] },
      schema: { summary: 'An audience: newest snapshot and its versions', params: IdParams, response: { 200: AudienceOut } },
    },
    async (request) => {
      const { id } = request.params;
      const audience = await getAudience(warehouse, request.principal.workspaceId, id);
      if (!audience) throw errors.notFound(`audience ${id}`);
      return { id, ...audience.spec, versions: await audienceVersions(warehouse, request.principal.workspaceId, id) };
    },
  );

  app.delete(
    '/audiences/:id/versions/:version',
    {
      config: { roles: ['marketer', 'admin'] },
      schema: {
        summary: "Delete one snapshot's members",
        params: Type.Object({ id: Type.String({ maxLength: 64 }), version: Type.Integer({ minimum: 1 }) }),
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const { id, version } = request.params;
      const audience = await getAudience(warehouse, request.principal.workspaceId, id);
      const versions = audience ? await audienceVersions(warehouse, request.principal.workspaceId, id) : [];
      if (!audience || !versions.some((v) => v.version === version)) throw errors.notFound(`audience ${id} version ${version}`);
      await deleteAudienceVersion(warehouse, request.principal.workspaceId, audience, version, request.principal.keyId);
      return reply.status(204).send();
    },
  );

  app.get(
    '/audiences/:id/export',
    {
      config: { roles: ['sender', 'marketer', 'admin', 'analyst'] },
      schema: {
        summary: 'Stream one page of the audience (NDJSON, CSV or Arrow); X-Next-Cursor continues it on the same snapshot',
        params: IdParams,
        querystring: Type.Object(
          { ...StreamedPageQuery, version: Type.Optional(Type.Integer({ minimum: 1, description: 'Default: the newest snapshot' })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const q = request.query;
      const audience = await getAudience(warehouse, request.principal.workspaceId, id);
      if (!audience) throw errors.notFound(`audience ${id}`);
      const fields = exportFieldsOf(q.fields ?? 'user_id,phone');
      // An export's cursor belongs to this audience's export and carries its snapshot's version.
      const scope = `audience ${id} export`;
      const decoded = q.cursor ? decodeCursor(q.cursor, 'querystring.cursor', scope) : undefined;
      const position = { version: decoded?.version ?? q.version ?? audience.spec.version, after: decoded?.after ?? '' };
      if (decoded && q.version !== undefined && q.version !== position.version) throw errors.invalid('version', "differs from the cursor's snapshot");
      const versions = await audienceVersions(warehouse, request.principal.workspaceId, id);
      const snapshot = versions.find((v) => v.version === position.version);
      if (!snapshot) throw errors.notFound(`audience ${id} version ${position.version}`);
      const page = await exportAudiencePage(warehouse, request.principal.workspaceId, id, {
        version: position.version,
        fields,
        format: q.format ?? 'ndjson',
        after: position.after,
        limit: q.limit,
        maskPhones: !canSeePhoneNumbers(request.principal.role),
      });
      reply.header('content-type', page.contentType);
      reply.header('x-audience-version', String(position.version));
      reply.header('x-timezone', snapshot.timezone);
      if (snapshot.eligibility.send_window) reply.header('x-send-window', JSON.stringify(snapshot.eligibility.send_window));
      if (page.nextAfter !== null) reply.header('x-next-cursor', encodeCursor(scope, { after: page.nextAfter, version: position.version }));
      return reply.send(page.stream);
    },
  );

  app.get(
    '/audiences/:id/diff',
    {
      config: { roles: ['sender', 'marketer', 'admin', 'analyst'] },
      schema: {
        summary:
          'Stream one page of the members added (in to, not in from) and removed between two snapshots, each with change; X-Added-Count and X-Removed-Count count the whole diff, X-Next-Cursor continues it',
        params: IdParams,
        querystring: Type.Object({ ...DiffRangeQuery, ...StreamedPageQuery }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const q = request.query;
      const workspaceId = request.principal.workspaceId;
      const range = { from: q.from, to: q.to };
      await checkedDiffRange(warehouse, workspaceId, id, range);
      const fields = exportFieldsOf(q.fields ?? 'user_id,phone');
      // A diff's cursor belongs to this audience's diff of these two snapshots.
      const scope = `audience ${id} diff ${range.from}..${range.to}`;
      const after = q.cursor ? decodeCursor(q.cursor, 'querystring.cursor', scope).after : '';
      const counts = await audienceDiffCounts(warehouse, workspaceId, id, range);
      const page = await diffAudiencePage(warehouse, workspaceId, id, range, {
        fields,
        format: q.format ?? 'ndjson',
        after,
        limit: q.limit,
        maskPhones: !canSeePhoneNumbers(request.principal.role),
      });
      reply.header('content-type', page.contentType);
      reply.header('x-added-count', String(counts.added));
      reply.header('x-removed-count', String(counts.removed));
      if (page.nextAfter !== null) reply.header('x-next-cursor', encodeCursor(scope, { after: page.nextAfter }));
      return reply.send(page.stream);
    },
  );

  app.get(
    '/audiences/:id/diff/summary',
    {
      config: { roles: ['sender', 'marketer', 'admin', 'analyst'] },
      schema: {
        summary: 'How many members were added and removed between two snapshots',
        params: IdParams,
        querystring: Type.Object(DiffRangeQuery, { additionalProperties: false }),
        response: { 200: DiffSummary },
      },
    },
    async (request) => {
      const { id } = request.params;
      const range = { from: request.query.from, to: request.query.to };
      await checkedDiffRange(warehouse, request.principal.workspaceId, id, range);
      return audienceDiffCounts(warehouse, request.principal.workspaceId, id, range);
    },
  );
};
