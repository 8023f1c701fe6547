/** Erasure on a person's request (PIPL, GDPR) and the log of erasures, for admins. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { eraseContact, listErasures, type ErasureRecord } from '../../segmentation/erasure.ts';
import { isoFromTs } from '../../warehouse/time.ts';
import type { Services } from '../services.ts';
import { pagedListSchema, readPage } from '../cursor.ts';

/** An erasure as answered: hashes only, never the person's identifiers. */
const ErasureOut = Type.Object({
  erasure_id: Type.String(),
  erased_at: Type.String({ description: 'ISO 8601, UTC' }),
  erased_by: Type.String({ description: 'The API key id that asked for it, or `cli`' }),
  user_hash: Type.String({ description: 'sha256: + hex SHA-256 of `<workspace>:<user_id>`' }),
  phone_hashes: Type.Array(Type.String(), { description: 'The same hash of each phone the person had' }),
  contacts_removed: Type.Integer(),
  events_pseudonymized: Type.Integer(),
});

/** An erasure record as answered (times in ISO 8601); the CLI prints the same shape either way. */
export const presentErasure = (r: ErasureRecord) => ({ ...r, erased_at: isoFromTs(r.erased_at) });
export type ErasureAnswer = ReturnType<typeof presentErasure>;
const erasureKey = (r: ErasureRecord) => r.erasure_id;

export const erasureRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  app.delete(
    '/contacts/:user_id',
    {
      // Admins only: erasure cannot be undone and reaches every table of the workspace.
      config: { roles: ['admin'] },
      schema: {
        summary: "Erase a person's data on request (PIPL, GDPR)",
        description:
          'Deletes the profile, tags, audience memberships, staged imports, RFM scores and cluster assignments; events keep their counts ' +
          'with the user id and phone hashed; the number stays suppressed (hashed). A user id not known (or already erased) is 404.',
        params: Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: ErasureOut },
      },
    },
    async (request) => presentErasure(await eraseContact(warehouse, request.principal.workspaceId, request.params.user_id, request.principal.keyId)),
  );

  app.get(
    '/erasures',
    {
      config: { roles: ['admin'] },
      schema: pagedListSchema('The erasure log, oldest first, a page at a time', 'erasures', ErasureOut, config.server.maxPageSize),
    },
    (request) =>
      readPage('erasures', request.query, (limit, after) => listErasures(warehouse, request.principal.workspaceId, limit, after), erasureKey, presentErasure),
  );
};
