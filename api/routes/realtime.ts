/** Realtime segments: the flag and the change stream (membership is kept by segmentation/realtime-worker.ts). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { presentPersonal } from '../../access/pii-policy.ts';
import { errors } from '../../common/errors.ts';
import { changesPage, realtimeStatus, setRealtime } from '../../segmentation/realtime-segments.ts';
import type { Services } from '../services.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Status = Type.Object({
  enabled: Type.Boolean(),
  qualifies: Type.Boolean({ description: 'whether the rule can be kept in realtime (see README: realtime segments)' }),
  reason: Type.Optional(Type.String({ description: 'why the rule does not qualify' })),
  field: Type.Optional(Type.String({ description: 'the JSON path of the leaf that does not qualify, e.g. rule.all[1].rfm' })),
  watermark: Type.Union([Type.String(), Type.Null()], { description: 'ISO 8601: events stored before it have been looked at (null while off)' }),
});
const Change = Type.Object({
  seq: Type.Integer(),
  user_id: Type.String(),
  phone: Type.String(),
  change: Type.Union([Type.Literal('entered'), Type.Literal('left')]),
  cause_ingested_at: Type.String({ description: 'ISO 8601: when the events that caused it were stored (else when it was detected)' }),
  recorded_at: Type.String({ description: 'ISO 8601: when the change was recorded' }),
});

export const realtimeRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  app.put(
    '/segments/:id/realtime',
    {
      config: { roles: ['marketer', 'admin'] },
      schema: {
        summary: 'Keep the segment current within seconds (the first enable seeds membership without change rows), or stop',
        params: IdParams,
        body: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Status },
      },
    },
    async (request) => {
      const { id } = request.params;
      const status = await setRealtime(warehouse, request.principal.workspaceId, id, request.body.enabled, request.principal.keyId);
      if (!status) throw errors.notFound(`segment ${id}`);
      return status;
    },
  );

  app.get(
    '/segments/:id/realtime',
    {
      config: { roles: ['marketer', 'admin', 'analyst'] },
      schema: { summary: 'Whether the segment is realtime and whether it can be', params: IdParams, response: { 200: Status } },
    },
    async (request) => {
      const { id } = request.params;
      const status = await realtimeStatus(warehouse, request.principal.workspaceId, id);
      if (!status) throw errors.notFound(`segment ${id}`);
      return status;
    },
  );

  app.get(
    '/segments/:id/changes',
    {
      config: { roles: ['sender', 'marketer', 'admin', 'analyst'] },
      schema: {
        summary: 'The contacts that entered or left a realtime segment after `since` (a seq; 0: from the start), oldest first',
        params: IdParams,
        querystring: Type.Object(
          {
            since: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: config.server.maxPageSize })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ changes: Type.Array(Change), next: Type.Integer({ description: 'the `since` of the next page' }) }) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { since = 0, limit = 100 } = request.query;
      const page = await changesPage(warehouse, request.principal.workspaceId, id, since, limit);
      if (!page) throw errors.notFound(`segment ${id}`);
      const { role } = request.principal;
      return { changes: page.changes.map((c) => presentPersonal(c, role)), next: page.next };
    },
  );
};
