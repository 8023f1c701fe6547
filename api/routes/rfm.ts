/** RFM scoring: compute now, read the newest run. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { EVENT_TYPES } from '../../ingest/event-schema.ts';
import { computeRfm, latestRfm } from '../../segmentation/rfm.ts';
import type { Services } from '../services.ts';
import { now } from '../../common/clock.ts';
import { errors } from '../../common/errors.ts';
import { CountsByName } from '../response-schemas.ts';

const RfmSummary = Type.Object({
  run_id: Type.String(),
  computed_at: Type.String(),
  window_days: Type.Integer(),
  event: Type.String(),
  users: Type.Integer(),
  segments: CountsByName,
});

export const rfmRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse }) => {
  app.post(
    '/rfm/compute',
    {
      config: { roles: ['marketer', 'admin', 'analyst'] },
      schema: {
        summary: 'Score recency, frequency and monetary value 1-5 per recipient and name the RFM segments',
        body: Type.Object(
          {
            window_days: Type.Integer({ minimum: 1, maximum: 3650 }),
            event: Type.Optional(Type.Enum([...EVENT_TYPES], { description: 'default conversion' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: RfmSummary },
      },
    },
    async (request) => {
      const { body } = request;
      return computeRfm(warehouse, request.principal.workspaceId, { windowDays: body.window_days, event: body.event ?? 'conversion', nowMs: now() });
    },
  );

  const latest = { summary: 'The newest RFM run: segment sizes', response: { 200: RfmSummary } };
  app.get('/rfm', { config: { roles: ['marketer', 'admin', 'analyst'] }, schema: latest }, async (request) => {
    const summary = await latestRfm(warehouse, request.principal.workspaceId);
    if (!summary) throw errors.notFound('RFM run (POST /v1/rfm/compute first)');
    return summary;
  });
};
