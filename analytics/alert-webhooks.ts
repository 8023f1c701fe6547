/**
 * Alert webhooks: each new alert is posted to its rule's URL in the background, signed with the rule's
 * secret, under the operator's outbound policy, retried with backoff; the outcome is recorded on the alert.
 */
import type { WebhookConfig } from '../config/config.ts';
import { outboundPolicy } from '../notify/outbound-policy.ts';
import { DEFAULT_RETRY, postWithRetry, type RetriedOutcome } from '../notify/retried-post.ts';
import { newWebhookSecret } from '../notify/signature.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { Alert, AlertRule, AlertRuleSpec, WebhookTarget } from './alert-types.ts';
import { alertsStore } from './alerts.ts';

/**
 * The spec to save: a rule with a webhook keeps its secret across edits and gets one the first time it
 * has a webhook; `created` is that new secret, shown once to whoever saved the rule.
 */
export function withWebhookSecret(spec: AlertRuleSpec, previous?: AlertRuleSpec): { spec: AlertRuleSpec; created?: string } {
  const kept = previous?.webhook_secret;
  if (kept) return { spec: { ...spec, webhook_secret: kept } };
  if (!spec.webhook_url) return { spec };
  const created = newWebhookSecret();
  return { spec: { ...spec, webhook_secret: created }, created };
}

/** A rule as it is answered: the signing secret is never read back. */
export function withoutSecret(rule: AlertRule): AlertRule {
  const { webhook_secret: _secret, ...spec } = rule.spec;
  return { ...rule, spec };
}

/**
 * Posts an alert to a webhook, retrying with backoff (notify/retried-post.ts: 0.5 s, 1 s, 2 s by default);
 * a target the policy refuses is not retried. The outcome (and why the last attempt failed) is recorded
 * on the alert. Never awaited by evaluation.
 */
export async function deliverAlertWebhook(
  wh: Warehouse,
  workspaceId: string,
  target: WebhookTarget,
  alert: Alert,
  config: WebhookConfig,
  retry = config.retry ?? DEFAULT_RETRY,
): Promise<void> {
  const body = JSON.stringify({ id: alert.id, ...alert.spec });
  const { attempts, outcome }: RetriedOutcome = target.secret
    ? await postWithRetry(outboundPolicy(config), { url: target.url, body, secret: target.secret, event: 'alert', idempotencyKey: alert.id }, retry)
    : {
        attempts: 0,
        outcome: {
          delivered: false,
          permanent: true,
          reason: `alert rule ${alert.spec.rule_id} has no signing secret: POST /v1/alert-rules/${alert.spec.rule_id}/webhook-secret makes one`,
        },
      };
  const webhook: NonNullable<Alert['spec']['webhook']> = {
    attempts,
    delivered: outcome.delivered,
    ...(outcome.status !== undefined && { status: outcome.status }),
    ...(!outcome.delivered && { error: outcome.reason }),
  };
  // Read and written under the object's lock, so an acknowledgement made meanwhile is kept.
  await alertsStore(wh).update(workspaceId, alert.id, 'webhook', (current) => current && { name: current.name, spec: { ...current.spec, webhook } });
}
