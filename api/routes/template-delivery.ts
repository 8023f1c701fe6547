/** Delivery diagnosis by template: sends, receipts, delivery rate and error codes per template and carrier. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { queryRange } from '../../analytics/time-range.ts';
import { deliveryByTemplate, MAX_TEMPLATES, templateDelivery } from '../../templates/delivery.ts';
import { CopyFinding, ErrorCodeShare, Measure, Nullable } from '../response-schemas.ts';
import type { Services } from '../services.ts';

const Time = Type.String({ format: 'date-time' });
const Carrier = Type.String({ minLength: 1, maxLength: 128 });

const Figures = {
  sends: Type.Integer({ description: 'Accepted sends' }),
  delivered: Type.Integer({ description: 'Delivered receipts' }),
  failed: Type.Integer({ description: 'Failed receipts' }),
  delivery_rate: Measure,
  error_codes: Type.Array(ErrorCodeShare, { description: 'The most frequent error codes of the failed receipts (at most 5)' }),
};
const TemplateDelivery = Type.Object({
  template_id: Type.String(),
  name: Nullable(Type.String()),
  version: Nullable(Type.Integer()),
  in_registry: Type.Boolean({ description: 'false: events name a template the registry does not know' }),
  ...Figures,
  carriers: Type.Array(Type.Object({ carrier: Type.String({ description: "'' when events carry none" }), ...Figures })),
});
const Window = { from: Type.String(), to: Type.String() };

export const templateDeliveryRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse }) => {
  const readers = { roles: ['analyst', 'marketer', 'admin'] as const };

  app.get(
    '/templates/:id/delivery',
    {
      config: readers,
      schema: {
        summary: "One template's delivery in [from, to): per carrier, with error codes and the copy checks' findings on its text",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }),
        querystring: Type.Object({ from: Time, to: Time }, { additionalProperties: false }),
        response: { 200: Type.Object({ ...Window, ...TemplateDelivery.properties, findings: Type.Array(CopyFinding) }) },
      },
    },
    async (request) => {
      const range = queryRange(request.query.from, request.query.to);
      const delivery = await templateDelivery(warehouse, request.principal.workspaceId, request.params.id, range);
      return { from: request.query.from, to: request.query.to, ...delivery };
    },
  );

  app.get(
    '/delivery/by-template',
    {
      config: readers,
      schema: {
        summary: 'Delivery per template (and per carrier) in [from, to), most sends first; `carrier` narrows to one carrier',
        querystring: Type.Object(
          {
            from: Time,
            to: Time,
            carrier: Type.Optional(Carrier),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TEMPLATES, description: `Templates listed: default 100, at most ${MAX_TEMPLATES}` })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            ...Window,
            carrier: Type.Optional(Type.String()),
            templates: Type.Array(TemplateDelivery),
            truncated: Type.Boolean({ description: 'More templates had events than were listed' }),
          }),
        },
      },
    },
    async (request) => {
      const { from, to, carrier, limit } = request.query;
      const found = await deliveryByTemplate(warehouse, request.principal.workspaceId, { ...queryRange(from, to), carrier, limit: limit ?? 100 });
      return { from, to, ...(carrier !== undefined && { carrier }), ...found };
    },
  );
};
