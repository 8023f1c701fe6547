/** Segments (rules), previews, and materializing them into audiences. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import { fieldAccess, presentPersonal } from '../../access/pii-policy.ts';
import { notifyAudienceVersion } from '../../segmentation/audience-notices.ts';
import { materializeAudience } from '../../segmentation/audiences.ts';
import { getSegment, listSegments, previewRule, saveSegment, segmentVersions } from '../../segmentation/segments.ts';
import type { Services } from '../services.ts';
import { pagedListSchema, readPage } from '../cursor.ts';
import { now } from '../../common/clock.ts';
import { errors } from '../../common/errors.ts';
import { AnyJson, CountsByName, Versioned } from '../response-schemas.ts';
import { requestTimeZone } from '../time-zone.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
// The rule is checked by validateRule, which names the JSON path of any problem.
const RuleBody = Type.Unknown({ description: 'A segment rule (see README: the rule DSL)' });
const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
export const EligibilitySchema = Type.Object(
  {
    frequency_cap: Type.Optional(
      Type.Union([
        Type.Boolean(),
        Type.Object(
          {
            per_week: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
            vip_per_week: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
            vip_min_level: Type.Optional(Type.Integer({ minimum: 0, maximum: 9 })),
          },
          { additionalProperties: false },
        ),
      ]),
    ),
    new_user_rule: Type.Optional(Type.Boolean()),
    message_kind: Type.Optional(Type.Enum(['promotion', 'service'])),
    send_window: Type.Optional(Type.Object({ start: HHMM, end: HHMM, workdays_only: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

const Segment = Versioned(Type.Object({ rule: AnyJson }, { additionalProperties: true }));
const SavedSegment = Type.Object({ id: Type.String(), version: Type.Integer() });
/** A matched contact; fields the role may not read are left out. */
const PreviewRow = Type.Object({
  user_id: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  city: Type.Optional(Type.String()),
  region: Type.Optional(Type.String()),
  vip_level: Type.Optional(Type.Integer()),
});
const PreviewAnswer = Type.Object({ count: Type.Integer(), timezone: Type.String(), sample: Type.Array(PreviewRow) });
/** What a preview answers (the CLI prints the same shape, from the server or from the engine). */
export type PreviewAnswer = Static<typeof PreviewAnswer>;
const Materialized = Type.Object({
  audience_id: Type.String(),
  version: Type.Integer(),
  size: Type.Integer(),
  matched: Type.Integer(),
  excluded: CountsByName,
  timezone: Type.String(),
});
export type MaterializedAnswer = Static<typeof Materialized>;
/** How long stopping the server waits for audience notices still being delivered (the rest are cut off). */
const NOTICE_CLOSE_WAIT_MS = 5000;

export const segmentRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  const writers = { roles: ['marketer', 'admin'] as const };
  const readers = { roles: ['marketer', 'admin', 'analyst'] as const };
  /** Audience notices being delivered: closing the app waits a little for them, before the warehouse goes. */
  const noticesInFlight = new Set<Promise<void>>();
  app.addHook('onClose', () =>
    Promise.race([Promise.all(noticesInFlight), new Promise((r) => setTimeout(r, NOTICE_CLOSE_WAIT_MS).unref())]).then(() => undefined),
  );

  app.post(
    '/segments',
    {
      config: writers,
      schema: {
        summary: 'Create a segment',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), rule: RuleBody }, { additionalProperties: false }),
        response: { 201: SavedSegment },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const saved = await saveSegment(warehouse, request.principal.workspaceId, body, request.principal.keyId);
      return reply.status(201).send({ id: saved.id, version: saved.version });
    },
  );

  app.put(
    '/segments/:id',
    {
      config: writers,
      schema: {
        summary: 'Change a segment (a new version); with If-Match: "<version>" only if that is still the newest (else 409)',
        params: IdParams,
        headers: Type.Object({
          'if-match': Type.Optional(Type.String({ pattern: '^(W/)?"?[0-9]{1,9}"?$', description: 'The version this edit is based on' })),
        }),
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), rule: RuleBody }, { additionalProperties: false }),
        response: { 200: SavedSegment },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await getSegment(warehouse, request.principal.workspaceId, id))) throw errors.notFound(`segment ${id}`);
      const ifMatch = request.headers['if-match'];
      const expectedVersion = typeof ifMatch === 'string' ? Number(ifMatch.replace(/\D/g, '')) : undefined;
      const input = { ...request.body, id, expectedVersion };
      const saved = await saveSegment(warehouse, request.principal.workspaceId, input, request.principal.keyId);
      return { id: saved.id, version: saved.version };
    },
  );

  app.get('/segments', { config: readers, schema: pagedListSchema('Segments, a page at a time', 'segments', Segment, config.server.maxPageSize) }, (request) =>
    readPage(
      'segments',
      request.query,
      (limit, after) => listSegments(warehouse, request.principal.workspaceId, limit, after),
      (s) => s.id,
    ),
  );

  const one = { summary: 'One segment (newest version)', params: IdParams, response: { 200: Segment } };
  app.get('/segments/:id', { config: readers, schema: one }, async (request) => {
    const { id } = request.params;
    const segment = await getSegment(warehouse, request.principal.workspaceId, id);
    if (!segment) throw errors.notFound(`segment ${id}`);
    return segment;
  });

  const versions = {
    summary: 'Every version of a segment, newest first: its name, rule, when and by which key it was saved',
    params: IdParams,
    response: { 200: Type.Object({ versions: Type.Array(Segment) }) },
  };
  app.get('/segments/:id/versions', { config: readers, schema: versions }, async (request) => {
    const { id } = request.params;
    // A deleted segment (tombstone newest) answers as missing, like GET /segments/:id.
    if (!(await getSegment(warehouse, request.principal.workspaceId, id))) throw errors.notFound(`segment ${id}`);
    const all = await segmentVersions(warehouse, request.principal.workspaceId, id);
    return { versions: all.reverse() };
  });

  app.post(
    '/segments/preview',
    {
      config: readers,
      schema: {
        summary: 'Count and sample the contacts a rule matches now, without saving it',
        body: Type.Object({ rule: RuleBody, sample: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })) }, { additionalProperties: false }),
        querystring: Type.Object({ tz: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
        response: { 200: PreviewAnswer },
      },
    },
    async (request) => {
      const { body } = request;
      const timezone = await requestTimeZone(request, warehouse);
      const { role } = request.principal;
      const options = { nowMs: now(), timezone, sample: body.sample ?? 10, access: fieldAccess(role) };
      const result = await previewRule(warehouse, request.principal.workspaceId, body.rule, options);
      return { count: result.count, timezone, sample: result.sample.map((r) => presentPersonal(r, role)) };
    },
  );

  app.post(
    '/segments/:id/materialize',
    {
      config: writers,
      schema: {
        summary: 'Snapshot the segment into a new audience version (suppression always applies)',
        params: IdParams,
        body: Type.Optional(Type.Object({ eligibility: Type.Optional(EligibilitySchema) }, { additionalProperties: false })),
        querystring: Type.Object({ tz: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
        response: { 200: Materialized },
      },
    },
    async (request) => {
      const { id } = request.params;
      const segment = await getSegment(warehouse, request.principal.workspaceId, id);
      if (!segment) throw errors.notFound(`segment ${id}`);
      const eligibility = request.body?.eligibility ?? {};
      const timezone = await requestTimeZone(request, warehouse);
      const audience = await materializeAudience(warehouse, request.principal.workspaceId, segment, eligibility, {
        nowMs: now(),
        timezone,
        changedBy: request.principal.keyId,
      });
      // In the background: the answer never waits for the segment's webhooks.
      const notice = notifyAudienceVersion(warehouse, request.principal.workspaceId, audience, config.webhooks, (err) =>
        app.log.warn({ err, segment: id }, 'audience notice failed'),
      );
      noticesInFlight.add(notice);
      void notice.finally(() => noticesInFlight.delete(notice));
      return {
        audience_id: audience.id,
        version: audience.spec.version,
        size: audience.spec.size,
        matched: audience.spec.matched,
        excluded: audience.spec.excluded,
        timezone,
      };
    },
  );
};
