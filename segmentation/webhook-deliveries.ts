/**
 * Deliveries to segment webhooks, recorded with their outcome in `webhook_deliveries` (migration 0020): a row
 * when a delivery starts, another after each failed attempt and one when it is finished, the furthest winning.
 */
import crypto from 'node:crypto';
import { now } from '../common/clock.ts';
import type { WebhookConfig, WebhookRetry } from '../config/config.ts';
import { outboundPolicy } from '../notify/outbound-policy.ts';
import { postWithRetry, type RetriedOutcome } from '../notify/retried-post.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql } from '../warehouse/sql-files.ts';
import { formatTs, isoFromTs } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { SegmentWebhook } from './segment-webhooks.ts';

/** A delivery as listed: `finished_at` null while it is still being tried; `status` null without an HTTP answer. */
export interface WebhookDelivery {
  delivery_id: string;
  event: string;
  /** The audience version a notice announced; null for a ping. */
  audience_version: number | null;
  attempts: number;
  delivered: boolean;
  status: number | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

/** A row as written or read (the engine may answer numbers as text). */
interface StoredDelivery {
  delivery_id: string;
  event: string;
  audience_version: number | string;
  attempts: number | string;
  delivered: number | string;
  status: number | string;
  error: string;
  created_at: string;
  finished_at: string | null;
}

/** A unique delivery id that sorts by time (`dlv_20261201T194201123Z_…`), so "newest first" is "greatest id first". */
const newDeliveryId = (nowMs: number) => `dlv_${new Date(nowMs).toISOString().replace(/[-:.]/g, '')}_${crypto.randomBytes(6).toString('hex')}`;

/** What to deliver: the body is made once the delivery has its id (which it carries). */
export interface Delivery {
  event: string;
  audienceVersion?: number;
  body: (deliveryId: string) => object;
}

/**
 * Posts one delivery to one webhook, signed with its secret, retried with backoff (notify/retried-post.ts), and
 * records its progress and outcome. Answers the finished delivery; never throws on a failed delivery.
 */
export async function deliverToWebhook(
  wh: Warehouse,
  workspaceId: string,
  webhook: SegmentWebhook,
  delivery: Delivery,
  config: WebhookConfig,
  retry?: WebhookRetry,
): Promise<WebhookDelivery> {
  const createdMs = now();
  const id = newDeliveryId(createdMs);
  const record = (progress: RetriedOutcome | undefined, finished: boolean) => {
    const outcome = progress?.outcome;
    const attempts = progress?.attempts ?? 0;
    const row = {
      workspace_id: workspaceId,
      webhook_id: webhook.id,
      segment_id: webhook.spec.segment_id,
      delivery_id: id,
      event: delivery.event,
      audience_version: delivery.audienceVersion ?? 0,
      attempts,
      delivered: outcome?.delivered ? 1 : 0,
      status: outcome?.status ?? 0,
      error: outcome && !outcome.delivered ? outcome.reason : '',
      created_at: formatTs(createdMs),
      finished_at: finished ? formatTs(now()) : null,
      step: attempts * 2 + (finished ? 1 : 0),
    };
    return wh.insert('webhook_deliveries', [row]).then(() => presented(row));
  };
  await record(undefined, false);
  const body = JSON.stringify(delivery.body(id));
  const signed = { url: webhook.spec.url, body, secret: webhook.spec.secret, event: delivery.event, idempotencyKey: id };
  const result = await postWithRetry(outboundPolicy(config), signed, retry ?? config.retry, (progress) => record(progress, false).then(() => undefined));
  return record(result, true);
}

function presented(row: StoredDelivery): WebhookDelivery {
  const status = Number(row.status);
  const version = Number(row.audience_version);
  return {
    delivery_id: row.delivery_id,
    event: row.event,
    audience_version: version > 0 ? version : null,
    attempts: Number(row.attempts),
    delivered: Number(row.delivered) === 1,
    status: status > 0 ? status : null,
    error: row.error === '' ? null : row.error,
    created_at: isoFromTs(row.created_at),
    finished_at: row.finished_at === null ? null : isoFromTs(row.finished_at),
  };
}

/** A page of a webhook's deliveries, newest first, after the delivery id `after` ('' = from the newest). */
export async function listWebhookDeliveries(wh: Warehouse, workspaceId: string, webhookId: string, limit: number, after: string): Promise<WebhookDelivery[]> {
  const rows = await wh.query<StoredDelivery>(sql('webhooks/deliveries-page'), workspaceParams(workspaceId, { webhook: webhookId, after, limit }));
  return rows.map(presented);
}
