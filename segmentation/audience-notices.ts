/**
 * Notices to the sending layer: when a segment's audience gets a new version, each of the segment's webhooks
 * is sent a signed `audience.version` notice with the version's size, the members added and removed since the
 * previous readable version, and the API paths that read them. Every materialization (by hand through the API,
 * on a schedule) calls notifyAudienceVersion once, without awaiting it.
 */
import { now } from '../common/clock.ts';
import type { WebhookConfig } from '../config/config.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { audienceDiffCounts } from './audience-diffs.ts';
import { audienceVersions, type Audience } from './audiences.ts';
import { segmentWebhooks, type SegmentWebhook } from './segment-webhooks.ts';
import { deliverToWebhook, type WebhookDelivery } from './webhook-deliveries.ts';

/** The notice of one audience version, as every webhook gets it (each delivery adds its own `id`). */
export interface AudienceVersionNotice {
  event: 'audience.version';
  workspace: string;
  segment_id: string;
  audience_id: string;
  version: number;
  /** The newest readable (not deleted) version before this one; null for the first. */
  previous_version: number | null;
  size: number;
  added: number;
  removed: number;
  created_at: string;
  /** Relative API paths: the version's export, and its diff from the previous version (null for the first). */
  links: { export: string; diff: string | null };
}

/** The notice of `audience`'s newest version: counts against the previous readable version (the first adds everyone). */
export async function audienceVersionNotice(wh: Warehouse, workspaceId: string, audience: Audience): Promise<AudienceVersionNotice> {
  const { version, size, segment_id, materialized_at } = audience.spec;
  const older = (await audienceVersions(wh, workspaceId, audience.id)).map((v) => v.version).filter((v) => v < version);
  const previous = older.length ? Math.max(...older) : null;
  const counts = previous === null ? { added: size, removed: 0 } : await audienceDiffCounts(wh, workspaceId, audience.id, { from: previous, to: version });
  const path = `/v1/audiences/${encodeURIComponent(audience.id)}`;
  return {
    event: 'audience.version',
    workspace: workspaceId,
    segment_id,
    audience_id: audience.id,
    version,
    previous_version: previous,
    size,
    added: counts.added,
    removed: counts.removed,
    created_at: materialized_at,
    links: { export: `${path}/export?version=${version}`, diff: previous === null ? null : `${path}/diff?from=${previous}&to=${version}` },
  };
}

/**
 * Sends the notice of a new audience version to every webhook of its segment, each retried with backoff and
 * recorded (GET /v1/segments/:id/webhooks/:webhookId/deliveries). Never rejects: a failure to compose or
 * record goes to `onError`. Resolves once every delivery is finished (callers do not wait for it).
 */
export async function notifyAudienceVersion(
  wh: Warehouse,
  workspaceId: string,
  audience: Audience,
  config: WebhookConfig,
  onError: (err: unknown) => void,
): Promise<void> {
  try {
    const webhooks = await segmentWebhooks(wh, workspaceId, audience.spec.segment_id);
    if (!webhooks.length) return;
    const notice = await audienceVersionNotice(wh, workspaceId, audience);
    const delivery = { event: notice.event, audienceVersion: notice.version, body: (id: string) => ({ id, ...notice }) };
    await Promise.all(webhooks.map((webhook) => deliverToWebhook(wh, workspaceId, webhook, delivery, config).catch(onError)));
  } catch (err) {
    onError(err);
  }
}

/** Sends a webhook one signed `ping` (one attempt, recorded like any delivery) and answers its outcome. */
export function pingSegmentWebhook(wh: Warehouse, workspaceId: string, webhook: SegmentWebhook, config: WebhookConfig): Promise<WebhookDelivery> {
  const ping = (id: string) => ({
    event: 'ping',
    id,
    workspace: workspaceId,
    segment_id: webhook.spec.segment_id,
    webhook_id: webhook.id,
    created_at: new Date(now()).toISOString(),
  });
  return deliverToWebhook(wh, workspaceId, webhook, { event: 'ping', body: ping }, config, { attempts: 1, baseDelayMs: 0 });
}
