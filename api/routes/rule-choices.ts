/** What a rule builder picks from: tag values, cities and regions, event property keys (bounded lists). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { now } from '../../common/clock.ts';
import { CHOICES_LIMIT, ruleChoices } from '../../segmentation/rule-choices.ts';
import type { Services } from '../services.ts';

const Place = Type.Object({ value: Type.String(), contacts: Type.Integer() });
const Choices = Type.Object({
  tags: Type.Array(Type.Object({ tag: Type.String(), value: Type.String(), contacts: Type.Integer() })),
  cities: Type.Array(Place),
  regions: Type.Array(Place),
  event_properties: Type.Array(Type.Object({ type: Type.String(), key: Type.String(), events: Type.Integer() })),
});

export const ruleChoiceRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse }) => {
  app.get(
    '/rule-choices',
    {
      config: { roles: ['marketer', 'admin', 'analyst'] },
      schema: {
        summary: `Values a segment rule can pick: tag values, cities, regions (by contacts) and event property keys of the last 30 days (by events), at most ${CHOICES_LIMIT} each`,
        response: { 200: Choices },
      },
    },
    (request) => ruleChoices(warehouse, request.principal.workspaceId, now()),
  );
};
