/**
 * Rebuilding the rollups while the server runs: the embedded engine is one process per data directory, so the
 * rebuild runs inside the server, by the same function as `smsp rollups rebuild`, with the server's event writes
 * paused meanwhile (they wait; none is refused). Root keys only: the rollups hold every workspace.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errors } from '../../common/errors.ts';
import { eventWritesPaused } from '../../ingest/event-store.ts';
import { rebuildRollups } from '../../ingest/rollup-rebuild.ts';
import type { Services } from '../services.ts';

const RebuildAnswerSchema = Type.Object({
  rebuilt: Type.Array(Type.Object({ tables: Type.Array(Type.String()), seconds: Type.Number() })),
});

export const rollupRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse }) => {
  app.post(
    '/admin/rollups/rebuild',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Empty every rollup and refill it from the stored events, pausing event writes meanwhile (root keys only)',
        response: { 200: RebuildAnswerSchema },
      },
    },
    async (request) => {
      if (!request.principal.isRoot) throw errors.rootKeyForAllWorkspaces('rebuild');
      if (eventWritesPaused(warehouse)) throw errors.rebuildRefused();
      return { rebuilt: await rebuildRollups(warehouse) };
    },
  );
};
