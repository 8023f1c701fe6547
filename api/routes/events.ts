/** POST /v1/events (senders write events) and two reads over them. */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { presentPersonal } from '../../access/pii-policy.ts';
import { EVENT_TYPES, EventSchema } from '../../ingest/event-schema.ts';
import { eventById, eventSummary } from '../../analytics/event-reads.ts';
import type { Services } from '../app.ts';
import { errors } from '../errors.ts';
import { bodyItems, nothingAccepted } from '../ndjson.ts';
import { requestTimeZone } from '../time-zone.ts';

const Rejected = Type.Array(
  Type.Object({ index: Type.Integer(), error: Type.Object({ field: Type.Optional(Type.String()), message: Type.String() }) }),
);

const TimeRange = Type.Object(
  {
    from: Type.String({ format: 'date-time', description: 'Inclusive start, ISO 8601 with offset or Z' }),
    to: Type.String({ format: 'date-time', description: 'Exclusive end, ISO 8601 with offset or Z' }),
    tz: Type.Optional(Type.String({ maxLength: 64, description: "IANA zone for the days (default: the workspace's)" })),
  },
  { additionalProperties: false },
);

export async function eventRoutes(app: FastifyInstance, { config, warehouse, metrics, intake }: Services): Promise<void> {
  app.addSchema(EventSchema);

  app.post(
    '/events',
    {
      config: { roles: ['sender', 'admin'] },
      schema: {
        summary: 'Ingest events (JSON array or NDJSON of Event)',
        description:
          'Each event is validated alone: bad ones are listed in `rejected` with their index and reason, the good ones are stored. ' +
          'When the answer arrives, accepted events are durable and queryable. Re-posting an event (same event_id) never counts it twice.',
        body: Type.Array(Type.Unknown(), { description: 'Events (see the Event schema)' }),
        response: {
          202: Type.Object({ accepted: Type.Integer(), rejected: Rejected }),
          400: Type.Object({ statusCode: Type.Integer(), code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()), rejected: Type.Optional(Rejected) }),
        },
      },
    },
    async (request, reply) => {
      const items = bodyItems(request.body, 'body', config.server.maxEventsPerRequest);
      const result = await intake.accept(request.principal.workspaceId, items);
      metrics.eventsAccepted.inc(result.accepted);
      metrics.eventsRejected.inc(result.rejected.length);
      if (result.accepted === 0) return reply.status(400).send(nothingAccepted(result.rejected));
      return reply.status(202).send(result);
    },
  );

  app.get(
    '/events/summary',
    {
      config: { roles: ['admin', 'analyst', 'marketer'] },
      schema: { summary: 'Distinct events and users by type in a time range, and events per local day', querystring: TimeRange },
    },
    async (request) => {
      const { from, to } = request.query as { from: string; to: string };
      const fromMs = Date.parse(from);
      const toMs = Date.parse(to);
      if (!(toMs > fromMs)) throw errors.validation('querystring.to: must be after from', 'querystring.to');
      return eventSummary(warehouse, request.principal.workspaceId, fromMs, toMs, await requestTimeZone(request, warehouse));
    },
  );

  app.get(
    '/events/:event_id',
    {
      config: { roles: ['admin', 'analyst', 'sender'] },
      schema: {
        summary: 'One stored event',
        description: 'An event is identified by its type and id; without `type`, the earliest event with that id.',
        params: Type.Object({ event_id: Type.String({ minLength: 1, maxLength: 128 }) }),
        querystring: Type.Object({ type: Type.Optional(Type.Enum([...EVENT_TYPES])) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const { event_id } = request.params as { event_id: string };
      const { type } = request.query as { type?: string };
      const event = await eventById(warehouse, request.principal.workspaceId, event_id, type);
      if (!event) throw errors.notFound(`event ${event_id}`);
      return presentPersonal(event, request.principal.role);
    },
  );
}
