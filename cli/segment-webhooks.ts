/** `smsp segment webhooks SEGMENT_ID [--add URL [--description D]]`: list a segment's webhooks, or add one. */
import type { CreatedWebhookAnswer, WebhookListAnswer } from '../api/routes/segment-webhooks.ts';
import { errors } from '../common/errors.ts';
import { loadConfig } from '../config/config.ts';
import { outboundPolicy } from '../notify/outbound-policy.ts';
import { addSegmentWebhook, segmentWebhooks, webhookAnswer } from '../segmentation/segment-webhooks.ts';
import { getSegment } from '../segmentation/segments.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { stringFlag, type Flags } from './args.ts';
import { printResult, table } from './output.ts';
import { viaServerOrEngine } from './server-client.ts';

async function existingSegment(warehouse: Warehouse, workspace: string, id: string): Promise<void> {
  if (!(await getSegment(warehouse, workspace, id))) throw errors.notFound(`segment ${id}`);
}

function formatList(answer: WebhookListAnswer): string {
  if (!answer.webhooks.length) return 'no webhooks';
  return table(
    ['id', 'url', 'description', 'created_at'],
    answer.webhooks.map((w) => [w.id, w.url, w.description ?? '', w.created_at]),
  ).join('\n');
}

const formatCreated = (w: CreatedWebhookAnswer) =>
  `webhook ${w.id} of segment ${w.segment_id}: ${w.url}\nsigning secret (shown this once, keep it): ${w.secret}`;

/** Through the server beside the data (or SMSP_URL), else the engine, with the API's checks and answers. */
export async function segmentWebhooksCommand(flags: Flags, segmentId: string): Promise<number> {
  const workspace = stringFlag(flags, 'workspace');
  const route = `/segments/${encodeURIComponent(segmentId)}/webhooks`;
  const url = stringFlag(flags, 'add');
  if (url === undefined) {
    const answer = await viaServerOrEngine(
      (server) => server.json<WebhookListAnswer>('GET', route, { workspace }),
      async (warehouse, ws) => {
        await existingSegment(warehouse, ws, segmentId);
        return { webhooks: (await segmentWebhooks(warehouse, ws, segmentId)).map(webhookAnswer) };
      },
      workspace,
    );
    printResult(flags, answer, formatList);
    return 0;
  }
  const description = stringFlag(flags, 'description');
  const body = { url, ...(description !== undefined && { description }) };
  const answer = await viaServerOrEngine(
    (server) => server.json<CreatedWebhookAnswer>('POST', route, { body, workspace }),
    async (warehouse, ws) => {
      await existingSegment(warehouse, ws, segmentId);
      const webhook = await addSegmentWebhook(warehouse, ws, segmentId, body, outboundPolicy(loadConfig().webhooks), 'cli');
      return { ...webhookAnswer(webhook), secret: webhook.spec.secret };
    },
    workspace,
  );
  printResult(flags, answer, formatCreated);
  return 0;
}
