/**
 * Segment webhooks: receivers of the sending layer that a segment names. Each is a versioned metadata object
 * (kind `segment_webhooks`) with its URL, checked by the outbound policy when saved, and its signing secret,
 * made when the webhook is added and shown that once (routes answer webhooks without it).
 */
import { errors } from '../common/errors.ts';
import { webhookUrlProblem, type OutboundPolicy } from '../notify/outbound-policy.ts';
import { newWebhookSecret } from '../notify/signature.ts';
import { MetadataStore, type MetadataRecord } from '../warehouse/metadata-store.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

export interface SegmentWebhookSpec {
  segment_id: string;
  url: string;
  description?: string;
  /** Signs every delivery (notify/signature.ts); never read back. */
  secret: string;
}

export type SegmentWebhook = MetadataRecord<SegmentWebhookSpec>;

/** Each delivery of a notice is a POST per webhook: a bound on the fan-out of one materialization. */
export const MAX_WEBHOOKS_PER_SEGMENT = 10;

const store = (wh: Warehouse) => new MetadataStore<SegmentWebhookSpec>(wh, 'segment_webhooks');

/** The live webhooks of a segment, in id order. */
export function segmentWebhooks(wh: Warehouse, workspaceId: string, segmentId: string): Promise<SegmentWebhook[]> {
  return store(wh).select(workspaceId, sql('webhooks/of-segment'), { segment: segmentId, after: '', limit: MAX_WEBHOOKS_PER_SEGMENT });
}

/** One webhook of the segment, or undefined (another segment's or another workspace's alike). */
export async function getSegmentWebhook(wh: Warehouse, workspaceId: string, segmentId: string, webhookId: string): Promise<SegmentWebhook | undefined> {
  const webhook = await store(wh).get(workspaceId, webhookId);
  return webhook?.spec.segment_id === segmentId ? webhook : undefined;
}

/**
 * Adds a webhook to a segment (the caller has checked that the segment exists): a URL the policy refuses is a
 * 400 naming `url`; a segment with MAX_WEBHOOKS_PER_SEGMENT already is refused. Answers the webhook with its secret.
 */
export async function addSegmentWebhook(
  wh: Warehouse,
  workspaceId: string,
  segmentId: string,
  input: { url: string; description?: string },
  policy: OutboundPolicy,
  changedBy: string,
): Promise<SegmentWebhook> {
  const problem = webhookUrlProblem(policy, input.url);
  if (problem) throw errors.invalid('url', problem);
  if ((await segmentWebhooks(wh, workspaceId, segmentId)).length >= MAX_WEBHOOKS_PER_SEGMENT) throw errors.webhookLimit(MAX_WEBHOOKS_PER_SEGMENT);
  const spec: SegmentWebhookSpec = {
    segment_id: segmentId,
    url: input.url,
    ...(input.description && { description: input.description }),
    secret: newWebhookSecret(),
  };
  return store(wh).save(workspaceId, { name: input.description ?? input.url, spec, changedBy });
}

/** A webhook as the API and the CLI answer it: never its secret. */
export const webhookAnswer = (w: SegmentWebhook) => ({
  id: w.id,
  segment_id: w.spec.segment_id,
  url: w.spec.url,
  ...(w.spec.description !== undefined && { description: w.spec.description }),
  created_at: w.changed_at,
  created_by: w.changed_by,
});

/** Deletes a webhook (a tombstone version): its deliveries stay listed until they expire. */
export async function removeSegmentWebhook(wh: Warehouse, workspaceId: string, webhook: SegmentWebhook, changedBy: string): Promise<void> {
  await store(wh).remove(workspaceId, webhook.id, changedBy);
}
