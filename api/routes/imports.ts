/**
 * POST /v1/contacts/import: a TXT, CSV or XLSX file as the raw request body, streamed into the
 * import. Its own plugin scope, so its pass-through body parsers do not apply to other routes.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Readable } from 'node:stream';
import Type, { type Static } from 'typebox';
import { importContacts } from '../../ingest/imports/contact-import.ts';
import type { Services } from '../services.ts';
import { errors } from '../../common/errors.ts';

const FILE_TYPES = [
  'text/plain',
  'text/csv',
  'application/csv',
  'application/octet-stream',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];

const ImportReport = Type.Object({
  import_id: Type.String(),
  format: Type.String(),
  encoding: Type.Optional(Type.String()),
  rows: Type.Integer({ description: 'Data lines read (blank lines excluded)' }),
  imported: Type.Integer({ description: 'New contacts' }),
  updated: Type.Integer({ description: 'Existing contacts the file changed' }),
  duplicates: Type.Integer({ description: "Lines repeating an earlier line's contact" }),
  invalid: Type.Object({ count: Type.Integer(), lines: Type.Array(Type.Object({ line: Type.Integer(), reason: Type.String() })) }),
});

export type ImportReportAnswer = Static<typeof ImportReport>;

/** The pass-through parser below hands the route the request stream itself. */
const isStream = (body: unknown): body is Readable => typeof (body as Readable | undefined)?.pipe === 'function';

export const importRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  // The import counts and limits bytes itself while streaming.
  app.addContentTypeParser(FILE_TYPES, (_request, payload, done) => done(null, payload));

  app.post(
    '/contacts/import',
    {
      config: { roles: ['admin', 'marketer'] },
      bodyLimit: config.server.importMaxBytes,
      schema: {
        summary: 'Import contacts or a number list (TXT, CSV or XLSX as the request body)',
        description:
          `TXT: one number per line. CSV/XLSX: a header row naming contact fields (user_id, phone, name, gender, birthday, city, region, signup_at, vip_level, consent; Chinese headers such as 手机号/姓名 work), ` +
          `tags (a;b=value) and tag:<name> columns; other columns become attributes. The format is detected from the content. ` +
          `Up to ${config.server.importMaxRows} rows; numbers are normalised, invalid lines reported with their line number, duplicates merged, existing contacts updated.`,
        querystring: Type.Object(
          {
            format: Type.Optional(Type.Enum(['txt', 'csv', 'xlsx'])),
            sheet: Type.Optional(Type.String({ maxLength: 128 })),
            tag: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A tag for every imported contact, e.g. the list name' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ImportReport },
      },
    },
    async (request) => {
      const { query, body } = request;
      if (!isStream(body)) {
        throw errors.importNeedsFile(FILE_TYPES.slice(0, 2).join(' or '));
      }
      return await importContacts(warehouse, request.principal.workspaceId, body, {
        maxRows: config.server.importMaxRows,
        maxBytes: config.server.importMaxBytes,
        ...query,
      });
    },
  );
};
