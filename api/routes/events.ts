/** POST /v1/events (senders write events) and two reads over them. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type TObject, type TSchema } from 'typebox';
import { presentPersonal } from '../../access/pii-policy.ts';
import { EVENT_FIELDS, EVENT_TYPES, EventSchema, type EventField } from '../../ingest/event-schema.ts';
import { eventById, eventSummary } from '../../analytics/event-reads.ts';
import { columnAnswerSchema } from '../../common/column-schema.ts';
import type { Services } from '../services.ts';
import { errors } from '../../common/errors.ts';
import { bodyItems, nothingAccepted } from '../ndjson.ts';
import { CountsByName, NothingAccepted, Rejected } from '../response-schemas.ts';
import { requestTimeZone } from '../time-zone.ts';

const TimeRange = Type.Object(
  {
    from: Type.String({ format: 'date-time', description: 'Inclusive start, ISO 8601 with offset or Z' }),
    to: Type.String({ format: 'date-time', description: 'Exclusive end, ISO 8601 with offset or Z' }),
    tz: Type.Optional(Type.String({ maxLength: 64, description: "IANA zone for the days (default: the workspace's)" })),
  },
  { additionalProperties: false },
);

const EventSummary = Type.Object({
  from: Type.String(),
  to: Type.String(),
  timezone: Type.String({ description: 'The zone the days are cut in' }),
  events: CountsByName,
  users: CountsByName,
  revenue: Type.Number(),
  days: Type.Array(Type.Object({ day: Type.String(), events: CountsByName })),
});

/** An event as stored: every field of the event definition, empty when the sender left it out. */
const StoredEvent = Type.Object(
  Object.fromEntries(Object.entries(EVENT_FIELDS).map(([name, spec]) => [name, columnAnswerSchema(spec.column)])),
) as unknown as TObject<Record<EventField, TSchema>>;

export const eventRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse, metrics, intake }) => {
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
          400: NothingAccepted,
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
      schema: {
        summary: 'Distinct events and users by type in a time range, and events per local day',
        querystring: TimeRange,
        response: { 200: EventSummary },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      const fromMs = Date.parse(from);
      const toMs = Date.parse(to);
      if (!(toMs > fromMs)) throw errors.invalid('to', 'must be after from');
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
        response: { 200: StoredEvent },
      },
    },
    async (request) => {
      const { event_id } = request.params;
      const { type } = request.query;
      const event = await eventById(warehouse, request.principal.workspaceId, event_id, type);
      if (!event) throw errors.notFound(`event ${event_id}`);
      return presentPersonal(event, request.principal.role);
    },
  );
};
