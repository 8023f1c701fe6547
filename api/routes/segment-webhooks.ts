/** Segment webhooks: the sending layer's receivers of audience.version notices, and their deliveries. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import { errors } from '../../common/errors.ts';
import { outboundPolicy } from '../../notify/outbound-policy.ts';
import { pingSegmentWebhook } from '../../segmentation/audience-notices.ts';
import { addSegmentWebhook, getSegmentWebhook, removeSegmentWebhook, segmentWebhooks, webhookAnswer } from '../../segmentation/segment-webhooks.ts';
import { getSegment } from '../../segmentation/segments.ts';
import { listWebhookDeliveries } from '../../segmentation/webhook-deliveries.ts';
import { pagedListSchema, readPage } from '../cursor.ts';
import { NoContent, Nullable } from '../response-schemas.ts';
import type { Services } from '../services.ts';

const SegmentParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const WebhookParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), webhookId: Type.String({ minLength: 1, maxLength: 64 }) });

const WebhookFields = {
  id: Type.String(),
  segment_id: Type.String(),
  url: Type.String(),
  description: Type.Optional(Type.String()),
  created_at: Type.String({ description: 'ISO 8601, UTC' }),
  created_by: Type.String({ description: 'Key id that added it' }),
};
/** A webhook as listed: never its secret. */
const WebhookAnswer = Type.Object(WebhookFields);
export type WebhookListAnswer = { webhooks: Static<typeof WebhookAnswer>[] };
const CreatedWebhook = Type.Object({
  ...WebhookFields,
  secret: Type.String({ description: 'Signs every delivery (X-SMSP-Signature); shown this once, never read back' }),
});
export type CreatedWebhookAnswer = Static<typeof CreatedWebhook>;
const DeliveryAnswer = Type.Object({
  delivery_id: Type.String({ description: 'Also the Idempotency-Key and the body’s id' }),
  event: Type.String(),
  audience_version: Nullable(Type.Integer()),
  attempts: Type.Integer(),
  delivered: Type.Boolean(),
  status: Nullable(Type.Integer({ description: 'The last HTTP answer; null without one' })),
  error: Nullable(Type.String()),
  created_at: Type.String(),
  finished_at: Nullable(Type.String({ description: 'null while it is still being tried' })),
});

export const segmentWebhookRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  // Webhook URLs may carry a receiver's token: only the roles that manage them see them.
  const managers = { roles: ['marketer', 'admin'] as const };
  const policy = outboundPolicy(config.webhooks);
  /** The segment, else the 404 that a missing segment and another workspace's answer alike. */
  const existingSegment = async (workspaceId: string, id: string) => {
    if (!(await getSegment(warehouse, workspaceId, id))) throw errors.notFound(`segment ${id}`);
  };
  const existingWebhook = async (workspaceId: string, params: { id: string; webhookId: string }) => {
    await existingSegment(workspaceId, params.id);
    const webhook = await getSegmentWebhook(warehouse, workspaceId, params.id, params.webhookId);
    if (!webhook) throw errors.notFound(`webhook ${params.webhookId} of segment ${params.id}`);
    return webhook;
  };

  app.post(
    '/segments/:id/webhooks',
    {
      config: managers,
      schema: {
        summary: 'Add a webhook: each new audience version of the segment is posted to it, signed (the secret is shown once)',
        params: SegmentParams,
        body: Type.Object(
          { url: Type.String({ minLength: 1, maxLength: 2048 }), description: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 201: CreatedWebhook },
      },
    },
    async (request, reply) => {
      const { workspaceId, keyId } = request.principal;
      await existingSegment(workspaceId, request.params.id);
      const webhook = await addSegmentWebhook(warehouse, workspaceId, request.params.id, request.body, policy, keyId);
      return reply.status(201).send({ ...webhookAnswer(webhook), secret: webhook.spec.secret });
    },
  );

  app.get(
    '/segments/:id/webhooks',
    {
      config: managers,
      schema: {
        summary: 'The segment’s webhooks (without their secrets)',
        params: SegmentParams,
        response: { 200: Type.Object({ webhooks: Type.Array(WebhookAnswer) }) },
      },
    },
    async (request) => {
      const { workspaceId } = request.principal;
      await existingSegment(workspaceId, request.params.id);
      return { webhooks: (await segmentWebhooks(warehouse, workspaceId, request.params.id)).map(webhookAnswer) };
    },
  );

  app.delete(
    '/segments/:id/webhooks/:webhookId',
    { config: managers, schema: { summary: 'Remove a webhook (its deliveries stay listed)', params: WebhookParams, response: { 204: NoContent } } },
    async (request, reply) => {
      const webhook = await existingWebhook(request.principal.workspaceId, request.params);
      await removeSegmentWebhook(warehouse, request.principal.workspaceId, webhook, request.principal.keyId);
      return reply.status(204).send();
    },
  );

  app.post(
    '/segments/:id/webhooks/:webhookId/test',
    {
      config: managers,
      schema: { summary: 'Send the webhook a signed ping now (one attempt) and answer its outcome', params: WebhookParams, response: { 200: DeliveryAnswer } },
    },
    async (request) => {
      const webhook = await existingWebhook(request.principal.workspaceId, request.params);
      return pingSegmentWebhook(warehouse, request.principal.workspaceId, webhook, config.webhooks);
    },
  );

  const deliveries = pagedListSchema(
    'The webhook’s deliveries with their outcome, newest first, in pages',
    'deliveries',
    DeliveryAnswer,
    config.server.maxPageSize,
  );
  app.get('/segments/:id/webhooks/:webhookId/deliveries', { config: managers, schema: { ...deliveries, params: WebhookParams } }, async (request) => {
    const { workspaceId } = request.principal;
    const webhook = await existingWebhook(workspaceId, request.params);
    return readPage(
      'deliveries',
      request.query,
      (limit, after) => listWebhookDeliveries(warehouse, workspaceId, webhook.id, limit, after),
      (d) => d.delivery_id,
    );
  });
};
