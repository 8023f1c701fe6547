/**
 * The one retry loop of outbound webhooks (alert webhooks, segment notices): a signed POST under the
 * outbound policy, tried again with exponential backoff until it is delivered, the policy refuses the
 * target (trying again cannot help) or the attempts run out.
 */
import type { WebhookRetry } from '../config/config.ts';
import { postUnderPolicy, type PostOutcome } from './http-post.ts';
import type { OutboundPolicy } from './outbound-policy.ts';
import { SIGNATURE_HEADER, signatureHeader } from './signature.ts';

/** 4 attempts, 0.5 s, 1 s and 2 s apart, unless the operator says otherwise (WEBHOOK_RETRY_*). */
export const DEFAULT_RETRY: WebhookRetry = { attempts: 4, baseDelayMs: 500 };

export interface SignedDelivery {
  url: string;
  body: string;
  secret: string;
  /** `X-SMSP-Event`: what the body is (`alert`, `audience.version`, `ping`). */
  event: string;
  /** The same on every attempt, so a receiver that already took the delivery can drop a repeat. */
  idempotencyKey: string;
}

export interface RetriedOutcome {
  attempts: number;
  outcome: PostOutcome;
}

/**
 * Delivers with up to `retry.attempts` attempts, waiting `baseDelayMs × 2^(n-1)` before attempt n + 1. Each
 * attempt is signed afresh (a retry's timestamp is new, for receivers that refuse old ones). `onAttempt` hears
 * every outcome but the last (to record progress). Never throws.
 */
export async function postWithRetry(
  policy: OutboundPolicy,
  delivery: SignedDelivery,
  retry: WebhookRetry = DEFAULT_RETRY,
  onAttempt?: (progress: RetriedOutcome) => Promise<void>,
): Promise<RetriedOutcome> {
  for (let attempts = 1; ; attempts++) {
    const outcome = await postUnderPolicy(policy, delivery.url, delivery.body, {
      'content-type': 'application/json',
      'user-agent': 'smsp-webhooks/1',
      'x-smsp-event': delivery.event,
      'idempotency-key': delivery.idempotencyKey,
      [SIGNATURE_HEADER]: signatureHeader(delivery.secret, delivery.body),
    });
    if (outcome.delivered || outcome.permanent || attempts >= retry.attempts) return { attempts, outcome };
    await onAttempt?.({ attempts, outcome }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, retry.baseDelayMs * 2 ** (attempts - 1)));
  }
}
