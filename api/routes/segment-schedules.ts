/** Refresh schedules of segments and the record of their runs. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import { errors } from '../../common/errors.ts';
import {
  describeSchedule,
  getSegmentSchedule,
  removeSegmentSchedule,
  saveSegmentSchedule,
  segmentRuns,
  DEFAULT_KEEP_VERSIONS,
} from '../../segmentation/segment-schedules.ts';
import { getSegment } from '../../segmentation/segments.ts';
import { pagedListSchema, readPage } from '../cursor.ts';
import { NoContent, Nullable } from '../response-schemas.ts';
import type { Services } from '../services.ts';
import { EligibilitySchema } from './segments.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const ScheduleBody = Type.Object(
  {
    cron: Type.String({ minLength: 1, maxLength: 200, description: "5 fields (minute hour day-of-month month day-of-week), on the workspace's clock" }),
    eligibility: Type.Optional(EligibilitySchema),
    keep_versions: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_KEEP_VERSIONS })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const Schedule = Type.Object({
  segment_id: Type.String(),
  cron: Type.String(),
  eligibility: Type.Unknown(),
  keep_versions: Type.Integer(),
  enabled: Type.Boolean(),
  since: Type.String({ description: 'When this version took effect: slots before it never run' }),
  timezone: Type.String(),
  next_run_at: Nullable(Type.String()),
  version: Type.Integer(),
  changed_at: Type.String(),
  changed_by: Type.String(),
});
export type ScheduleAnswer = Static<typeof Schedule>;
const Run = Type.Object({
  slot: Type.String({ description: 'The cron slot this run is for' }),
  started_at: Type.String(),
  finished_at: Nullable(Type.String()),
  status: Type.Enum(['running', 'succeeded', 'failed', 'skipped']),
  size: Nullable(Type.Integer()),
  audience_version: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
});

export const segmentScheduleRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  const writers = { roles: ['marketer', 'admin'] as const };
  const readers = { roles: ['marketer', 'admin', 'analyst'] as const };

  app.put(
    '/segments/:id/schedule',
    {
      config: writers,
      schema: {
        summary: "Refresh the segment's audience on a cron schedule (replaces any earlier schedule; takes effect now)",
        params: IdParams,
        body: ScheduleBody,
        response: { 200: Schedule },
      },
    },
    async (request) => {
      const { workspaceId, keyId } = request.principal;
      const opts = { minIntervalMinutes: config.server.scheduleMinIntervalMinutes, changedBy: keyId };
      const saved = await saveSegmentSchedule(warehouse, workspaceId, request.params.id, request.body, opts);
      return describeSchedule(warehouse, workspaceId, saved);
    },
  );

  app.get(
    '/segments/:id/schedule',
    { config: readers, schema: { summary: "The segment's refresh schedule and its next slot", params: IdParams, response: { 200: Schedule } } },
    async (request) => {
      const { id } = request.params;
      const schedule = await getSegmentSchedule(warehouse, request.principal.workspaceId, id);
      if (!schedule) throw errors.notFound(`schedule of segment ${id}`);
      return describeSchedule(warehouse, request.principal.workspaceId, schedule);
    },
  );

  app.delete(
    '/segments/:id/schedule',
    { config: writers, schema: { summary: "Stop the segment's refreshes (its runs stay listed)", params: IdParams, response: { 204: NoContent } } },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await removeSegmentSchedule(warehouse, request.principal.workspaceId, id, request.principal.keyId))) {
        throw errors.notFound(`schedule of segment ${id}`);
      }
      return reply.status(204).send();
    },
  );

  app.get(
    '/segments/:id/schedule/runs',
    {
      config: readers,
      schema: { ...pagedListSchema("The segment's refresh runs, newest slot first", 'runs', Run, config.server.maxPageSize), params: IdParams },
    },
    async (request) => {
      const { id } = request.params;
      const { workspaceId } = request.principal;
      if (!(await getSegment(warehouse, workspaceId, id))) throw errors.notFound(`segment ${id}`);
      return readPage(
        'runs',
        request.query,
        (limit, after) => segmentRuns(warehouse, workspaceId, id, limit, after === '' ? 0 : Number(after)),
        (run) => String(run.slotMs),
        ({ slotMs: _slot, ...run }) => run,
      );
    },
  );
};
