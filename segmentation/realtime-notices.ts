/**
 * Pushes a realtime segment's changes to the segment's webhooks: one signed `segment.changes` notice per worker pass
 * that stored changes, with the flips themselves (at most one pass of them) and the path that reads them again. The
 * worker calls it through its `onChanges` option without awaiting it; deliveries are retried and recorded like audience
 * notices (GET /v1/segments/:id/webhooks/:webhookId/deliveries). A receiver that missed one reads the stream from its
 * last seq (`GET /v1/segments/:id/changes?since=`).
 */
import type { WebhookConfig } from '../config/config.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { RealtimeFlip } from './realtime-worker.ts';
import { segmentWebhooks } from './segment-webhooks.ts';
import { deliverToWebhook } from './webhook-deliveries.ts';

/** Sends the notice of one pass's changes to every webhook of the segment. Never rejects: failures go to `onError`. */
export async function notifyRealtimeChanges(
  wh: Warehouse,
  workspaceId: string,
  segmentId: string,
  changes: RealtimeFlip[],
  config: WebhookConfig,
  onError: (err: unknown) => void,
): Promise<void> {
  try {
    const webhooks = await segmentWebhooks(wh, workspaceId, segmentId);
    if (!webhooks.length || !changes.length) return;
    const first = changes[0]!.seq;
    const notice = {
      event: 'segment.changes',
      workspace: workspaceId,
      segment_id: segmentId,
      first_seq: first,
      last_seq: changes[changes.length - 1]!.seq,
      entered: changes.filter((c) => c.change === 'entered').length,
      left: changes.filter((c) => c.change === 'left').length,
      changes,
      links: { changes: `/v1/segments/${encodeURIComponent(segmentId)}/changes?since=${first - 1}` },
    };
    const delivery = { event: notice.event, body: (id: string) => ({ id, ...notice }) };
    await Promise.all(webhooks.map((webhook) => deliverToWebhook(wh, workspaceId, webhook, delivery, config).catch(onError)));
  } catch (err) {
    onError(err);
  }
}
