/**
 * Signed webhook bodies, Stripe-style: `X-SMSP-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">`. The timestamp is signed with the body, so a receiver can refuse old (replayed)
 * deliveries; the key is the secret string's UTF-8 bytes, `whsec_` prefix included.
 */
import crypto from 'node:crypto';

export const SIGNATURE_HEADER = 'x-smsp-signature';

/** A new signing secret (256 random bits). */
export const newWebhookSecret = (): string => `whsec_${crypto.randomBytes(32).toString('base64url')}`;

/** The signature header's value for one delivery attempt. */
export function signatureHeader(secret: string, body: string, nowMs = Date.now()): string {
  const t = Math.floor(nowMs / 1000);
  const v1 = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}
