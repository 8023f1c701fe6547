/** Analysts' SQL: queries over the workspace's Parquet snapshot in a locked-down DuckDB, the snapshot, saved queries. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errors } from '../../common/errors.ts';
import { MAX_QUERY_LENGTH, runAnalystQuery, snapshotVariantFor, summarizeSnapshot } from '../../sandbox/analyst-sql.ts';
import { jsonRows, toArrow, toCsv } from '../../sandbox/result-formats.ts';
import { CHART_TYPES, deleteSavedQuery, getSavedQuery, listSavedQueries, saveQuery, savedQueryHistory } from '../../sandbox/saved-queries.ts';
import { QuerySlots } from '../../sandbox/query-slots.ts';
import { SnapshotStore } from '../../sandbox/snapshots.ts';
import type { Services } from '../services.ts';
import { AnyJson, NoContent, Nullable, Versioned } from '../response-schemas.ts';
import { pagedListSchema, readPage } from '../cursor.ts';

const QueryText = Type.String({
  minLength: 1,
  maxLength: MAX_QUERY_LENGTH,
  description: 'One DuckDB SELECT statement over the views events, contacts, tags, ...',
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Snapshot = Type.Object({
  variant: Type.Enum(['full', 'masked'], { description: 'masked: phones shown as 138****5678 and phone-like ids hashed (roles without phone access)' }),
  taken_at: Nullable(Type.String({ description: 'When the data was read from the warehouse; null before the first snapshot' })),
  seconds: Nullable(Type.Number({ description: 'How long writing it took' })),
  tables: Type.Array(Type.Object({ name: Type.String(), rows: Type.Integer() })),
});
const QueryAnswer = Type.Object({
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String({ description: "DuckDB's type name" }) })),
  rows: Type.Array(Type.Array(AnyJson), { description: 'Values in column order; integers past 2^53 as strings, instants as ISO 8601' }),
  row_count: Type.Integer(),
  truncated: Type.Boolean({ description: 'More rows matched than SQL_MAX_ROWS; add LIMIT or aggregate' }),
  snapshot: Snapshot,
});

const Chart = Type.Object(
  {
    type: Type.Enum([...CHART_TYPES]),
    x: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'Result column along the axis (line, bar)' }))),
    y: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 8, description: 'Result columns drawn as series (line, bar)' })),
  },
  { additionalProperties: false },
);
const SavedQueryBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    query: QueryText,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    chart: Type.Optional(Chart),
    pinned: Type.Optional(Type.Boolean({ description: 'Show it as a tile on the dashboard (analysts, admins); default false' })),
  },
  { additionalProperties: false },
);
const SavedQuery = Versioned(
  Type.Object({
    query: Type.String(),
    description: Type.String(),
    chart: Type.Object({ type: Type.Enum([...CHART_TYPES]), x: Nullable(Type.String()), y: Type.Array(Type.String()) }),
    pinned: Type.Boolean({ description: 'Shown as a tile on the dashboard' }),
  }),
);

export const sqlRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  const analysts = { roles: ['analyst', 'admin'] as const };
  const snapshots = new SnapshotStore(warehouse, config.sandbox);
  const slots = new QuerySlots(config.sandbox.maxConcurrent);
  /** The newest version of a saved query of the caller's workspace; another workspace's is missing too (404). */
  const existing = async (workspaceId: string, id: string) => {
    const saved = await getSavedQuery(warehouse, workspaceId, id);
    if (!saved) throw errors.notFound(`saved query ${id}`);
    return saved;
  };

  app.post(
    '/sql',
    {
      config: analysts,
      schema: {
        summary:
          "Run one SELECT over the workspace's snapshot (DuckDB): views events, contacts, tags, suppressions, audience_members, rfm_scores, cluster_assignments; JSON, CSV or Arrow",
        body: Type.Object(
          { query: QueryText, format: Type.Optional(Type.Enum(['json', 'csv', 'arrow'], { description: 'Default json' })) },
          { additionalProperties: false },
        ),
        response: { 200: QueryAnswer },
      },
    },
    async (request, reply) => {
      const { principal } = request;
      const { result, snapshot } = await runAnalystQuery(snapshots, slots, principal.workspaceId, principal.role, request.body.query, config.sandbox);
      const format = request.body.format ?? 'json';
      if (format === 'json') return { columns: result.columns, rows: jsonRows(result), row_count: result.rows.length, truncated: result.truncated, snapshot };
      reply.header('x-truncated', String(result.truncated));
      if (snapshot.taken_at) reply.header('x-snapshot-taken-at', snapshot.taken_at);
      // Bytes go out as they are (fastify serializes only objects); the declared schema is the JSON answer's.
      const bytes = format === 'csv' ? Buffer.from(toCsv(result)) : Buffer.from(toArrow(result));
      return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.apache.arrow.stream').send(bytes as never);
    },
  );

  app.get(
    '/sql/snapshot',
    { config: analysts, schema: { summary: "The caller's snapshot: when it was taken and the rows of each table", response: { 200: Snapshot } } },
    (request) => {
      const variant = snapshotVariantFor(request.principal.role);
      return summarizeSnapshot(variant, snapshots.current(request.principal.workspaceId, variant));
    },
  );

  app.post(
    '/sql/snapshot',
    { config: analysts, schema: { summary: "Refresh the caller's snapshot now (events: only the months that changed)", response: { 200: Snapshot } } },
    async (request) => {
      const variant = snapshotVariantFor(request.principal.role);
      return summarizeSnapshot(variant, await snapshots.refresh(request.principal.workspaceId, variant));
    },
  );

  app.post(
    '/sql/queries',
    { config: analysts, schema: { summary: 'Save a query with its chart (line, bar or table)', body: SavedQueryBody, response: { 201: SavedQuery } } },
    async (request, reply) => reply.status(201).send(await saveQuery(warehouse, request.principal.workspaceId, request.body, request.principal.keyId)),
  );

  app.get(
    '/sql/queries',
    { config: analysts, schema: pagedListSchema('Saved queries, a page at a time', 'queries', SavedQuery, config.server.maxPageSize) },
    (request) =>
      readPage(
        'queries',
        request.query,
        (limit, after) => listSavedQueries(warehouse, request.principal.workspaceId, limit, after),
        (q) => q.id,
      ),
  );

  app.get(
    '/sql/queries/:id',
    { config: analysts, schema: { summary: 'One saved query (newest version)', params: IdParams, response: { 200: SavedQuery } } },
    (request) => existing(request.principal.workspaceId, request.params.id),
  );

  app.get(
    '/sql/queries/:id/versions',
    {
      config: analysts,
      schema: {
        summary: 'Every version of a saved query, newest first',
        params: IdParams,
        response: { 200: Type.Object({ versions: Type.Array(SavedQuery) }) },
      },
    },
    async (request) => {
      const { id } = request.params;
      await existing(request.principal.workspaceId, id);
      return { versions: (await savedQueryHistory(warehouse, request.principal.workspaceId, id)).reverse() };
    },
  );

  app.put(
    '/sql/queries/:id',
    {
      config: analysts,
      schema: {
        summary: 'Change a saved query (a new version); with If-Match: "<version>" only if that is still the newest (else 409)',
        params: IdParams,
        headers: Type.Object({
          'if-match': Type.Optional(Type.String({ pattern: '^(W/)?"?[0-9]{1,9}"?$', description: 'The version this edit is based on' })),
        }),
        body: SavedQueryBody,
        response: { 200: SavedQuery },
      },
    },
    async (request) => {
      const { id } = request.params;
      await existing(request.principal.workspaceId, id);
      const ifMatch = request.headers['if-match'];
      const expectedVersion = typeof ifMatch === 'string' ? Number(ifMatch.replace(/\D/g, '')) : undefined;
      return saveQuery(warehouse, request.principal.workspaceId, { ...request.body, id, expectedVersion }, request.principal.keyId);
    },
  );

  app.delete(
    '/sql/queries/:id',
    { config: analysts, schema: { summary: 'Delete a saved query (its versions stay stored)', params: IdParams, response: { 204: NoContent } } },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await deleteSavedQuery(warehouse, request.principal.workspaceId, id, request.principal.keyId))) throw errors.notFound(`saved query ${id}`);
      return reply.status(204).send();
    },
  );
};
