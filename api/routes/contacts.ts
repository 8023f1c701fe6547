/** Contact profiles: bulk upsert (merge) and reads, with phone numbers masked for roles that need none. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { maskPhonesInText, presentPersonal } from '../../access/pii-policy.ts';
import { canSeePhoneNumbers, type Role } from '../../access/roles.ts';
import { contactActivity, findContactByPhone } from '../../ingest/contact-activity.ts';
import { CONTACT_INSTANT_FIELDS, ContactSchema, contactAnswerProperties, type ContactRow } from '../../ingest/contact-schema.ts';
import { findContacts, listContacts, upsertContacts } from '../../ingest/contacts.ts';
import { tagsOfUser } from '../../ingest/tags.ts';
import { isoFromTs } from '../../warehouse/time.ts';
import { now } from '../../common/clock.ts';
import { normalizePhone } from '../../common/phone.ts';
import type { Services } from '../services.ts';
import { errors } from '../../common/errors.ts';
import { bodyItems, nothingAccepted } from '../ndjson.ts';
import { pagedListSchema, readPage } from '../cursor.ts';
import { NothingAccepted, Rejected } from '../response-schemas.ts';

/** A contact as the API shows it to `role`: ISO times, phone masked unless the role needs it. */
function present(row: ContactRow, role: Role) {
  const { workspace_id: _ws, ...rest } = row;
  const times = Object.fromEntries(CONTACT_INSTANT_FIELDS.map((f) => [f, row[f] ? isoFromTs(row[f] as string) : null]));
  return { ...presentPersonal(rest, role), ...times, updated_at: isoFromTs(row.updated_at) };
}

/** A contact as answered: every stored field, times in ISO 8601 (UTC), null when unknown. */
const ContactOut = Type.Object({
  ...contactAnswerProperties(),
  phone: Type.String({ description: 'Masked unless the role may see numbers' }),
  updated_at: Type.String(),
});
const UserTag = Type.Object({ tag: Type.String(), value: Type.String(), source: Type.String(), assigned_at: Type.String() });
const ContactWithTags = Type.Object({ ...ContactOut.properties, tags: Type.Array(UserTag) });
const UserIdParams = Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 128 }) });
const Suppression = Type.Object({ reason: Type.String(), source: Type.String(), created_at: Type.String() });
const TimelineEvent = Type.Object({
  event_id: Type.String(),
  type: Type.String(),
  ts: Type.String(),
  campaign_id: Type.String(),
  template_id: Type.String(),
  channel: Type.String(),
  carrier: Type.String(),
  status: Type.String(),
  error_code: Type.String(),
  revenue: Type.Number(),
  experiment_id: Type.String(),
  variant: Type.String(),
  properties: Type.Record(Type.String(), Type.String()),
});
const Activity = Type.Object({
  suppressed: Type.Boolean({ description: 'True when any entry holds: the contact is left out of every audience' }),
  suppressions: Type.Array(Suppression),
  from: Type.String({ description: 'Start of the look-back (ISO 8601)' }),
  events: Type.Array(TimelineEvent, { description: 'Newest first' }),
});

export const contactRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  app.addSchema(ContactSchema);

  app.post(
    '/contacts',
    {
      config: { roles: ['admin', 'marketer'] },
      schema: {
        summary: 'Create or update contacts (JSON array or NDJSON of Contact)',
        description: 'Given fields are merged over the stored profile; absent fields keep their value. consent=opted_out suppresses the number.',
        body: Type.Array(Type.Unknown()),
        response: { 200: Type.Object({ created: Type.Integer(), updated: Type.Integer(), rejected: Rejected }), 400: NothingAccepted },
      },
    },
    async (request, reply) => {
      const items = bodyItems(request.body, 'body', config.server.maxEventsPerRequest);
      const result = await upsertContacts(warehouse, request.principal.workspaceId, items);
      if (result.created + result.updated === 0) return reply.status(400).send(nothingAccepted(result.rejected));
      return result;
    },
  );

  app.get(
    '/contacts',
    {
      config: { roles: ['admin', 'analyst', 'marketer'] },
      schema: pagedListSchema('Contacts in user_id order, a page at a time', 'contacts', ContactOut, config.server.maxPageSize),
    },
    (request) => {
      const { workspaceId, role } = request.principal;
      return readPage(
        'contacts',
        request.query,
        (limit, after) => listContacts(warehouse, workspaceId, limit, after),
        (c) => c.user_id,
        (c) => present(c, role),
      );
    },
  );

  /** The stored profile of `userId`; 404 when the workspace has none. */
  const storedContact = async (workspaceId: string, userId: string) => {
    const [row] = await findContacts(warehouse, workspaceId, [userId]);
    if (!row) throw errors.notFound(`contact ${userId}`);
    return row;
  };
  /** One contact with its tags, as `role` may see it. */
  const withTags = async (row: ContactRow, workspaceId: string, role: Role) => {
    const tags = await tagsOfUser(warehouse, workspaceId, row.user_id);
    return { ...present(row, role), tags: tags.map((t) => ({ ...t, assigned_at: isoFromTs(t.assigned_at) })) };
  };

  app.get(
    '/contacts/by-phone/:phone',
    {
      // Only roles that see whole numbers may look a contact up by one.
      config: { roles: ['admin', 'marketer', 'sender'] },
      schema: {
        summary: 'The contact with this phone number, with its tags',
        params: Type.Object({ phone: Type.String({ minLength: 1, maxLength: 32, description: 'Any accepted spelling (13812345678, +86…)' }) }),
        response: { 200: ContactWithTags },
      },
    },
    async (request) => {
      const phone = normalizePhone(request.params.phone);
      if (!phone) throw errors.invalid('phone', 'is not a valid phone number');
      const { workspaceId, role } = request.principal;
      const row = await findContactByPhone(warehouse, workspaceId, phone);
      if (!row) throw errors.notFound(`contact ${phone}`);
      return withTags(row, workspaceId, role);
    },
  );

  app.get(
    '/contacts/:user_id/activity',
    {
      config: { roles: ['admin', 'analyst', 'marketer'] },
      schema: {
        summary: "A contact's suppression state and its newest events (bounded look-back and count)",
        params: UserIdParams,
        querystring: Type.Object(
          {
            days: Type.Integer({ minimum: 1, maximum: 730, default: 90, description: 'Look-back in days' }),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'Most events answered' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Activity },
      },
    },
    async (request) => {
      const { workspaceId, role } = request.principal;
      const row = await storedContact(workspaceId, request.params.user_id);
      const nowMs = now();
      const activity = await contactActivity(warehouse, workspaceId, row, { nowMs, ...request.query });
      // Free-form properties (a reply's text) may carry numbers: masked like phones for roles that see none.
      const events = canSeePhoneNumbers(role)
        ? activity.events
        : activity.events.map((e) => ({ ...e, properties: Object.fromEntries(Object.entries(e.properties).map(([k, v]) => [k, maskPhonesInText(v)])) }));
      return {
        suppressed: activity.suppressions.length > 0,
        suppressions: activity.suppressions,
        from: new Date(nowMs - request.query.days * 86_400_000).toISOString(),
        events,
      };
    },
  );

  app.get(
    '/contacts/:user_id',
    {
      config: { roles: ['admin', 'analyst', 'marketer', 'sender'] },
      schema: {
        summary: 'One contact with its tags',
        params: UserIdParams,
        response: { 200: ContactWithTags },
      },
    },
    async (request) => {
      const { workspaceId, role } = request.principal;
      return withTags(await storedContact(workspaceId, request.params.user_id), workspaceId, role);
    },
  );
};
