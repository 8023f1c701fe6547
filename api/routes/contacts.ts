/** Contact profiles: bulk upsert (merge) and reads, with phone numbers masked for roles that need none. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { presentPersonal } from '../../access/pii-policy.ts';
import type { Role } from '../../access/roles.ts';
import { CONTACT_INSTANT_FIELDS, ContactSchema, contactAnswerProperties, type ContactRow } from '../../ingest/contact-schema.ts';
import { findContacts, listContacts, upsertContacts } from '../../ingest/contacts.ts';
import { tagsOfUser } from '../../ingest/tags.ts';
import { isoFromTs } from '../../warehouse/time.ts';
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
      const { user_id } = request.params;
      const ws = request.principal.workspaceId;
      const [row] = await findContacts(warehouse, ws, [user_id]);
      if (!row) throw errors.notFound(`contact ${user_id}`);
      const tags = await tagsOfUser(warehouse, ws, user_id);
      return { ...present(row, request.principal.role), tags: tags.map((t) => ({ ...t, assigned_at: isoFromTs(t.assigned_at) })) };
    },
  );
};
