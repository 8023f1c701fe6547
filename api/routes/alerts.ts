/** Alert rules (CRUD), fired alerts (list, acknowledge) and evaluation on demand. */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { deliverAlertWebhook, withoutSecret, withWebhookSecret } from '../../analytics/alert-webhooks.ts';
import { acknowledgeAlert, alertsStore, evaluateAlerts, listRules, rulesStore, type AlertRule, type AlertRuleSpec } from '../../analytics/alerts.ts';
import { BREAKDOWNS, validateWhere } from '../../analytics/event-filters.ts';
import { METRICS } from '../../analytics/metrics.ts';
import { newWebhookSecret } from '../../notify/signature.ts';
import { outboundPolicy, webhookUrlProblem, type OutboundPolicy } from '../../notify/outbound-policy.ts';
import type { Services } from '../services.ts';
import { errors } from '../errors.ts';
import { requestTimeZone } from '../time-zone.ts';

const RuleBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    metric: Type.Enum([...METRICS]),
    kind: Type.Enum(['threshold', 'anomaly']),
    interval: Type.Optional(Type.Enum(['hour', 'day', 'week'])),
    breakdown: Type.Optional(Type.Enum([...BREAKDOWNS])),
    filters: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 20 })),
    threshold: Type.Optional(Type.Object({ below: Type.Optional(Type.Number()), at_or_above: Type.Optional(Type.Number()) }, { additionalProperties: false, minProperties: 1 })),
    min_volume: Type.Optional(Type.Integer({ minimum: 1 })),
    sensitivity: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 20 })),
    weeks: Type.Optional(Type.Integer({ minimum: 2, maximum: 26 })),
    cooldown_hours: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 30 })),
    webhook_url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
type RuleInput = { name: string; filters?: unknown } & Partial<Omit<AlertRuleSpec, 'filters'>> & Pick<AlertRuleSpec, 'metric' | 'kind'>;

function toSpec(body: RuleInput, policy: OutboundPolicy): AlertRuleSpec {
  // Checked again after DNS resolution at each delivery; here what the URL itself says.
  const urlProblem = body.webhook_url === undefined ? undefined : webhookUrlProblem(policy, body.webhook_url);
  if (urlProblem) throw errors.validation(`body.webhook_url: ${urlProblem}`, 'body.webhook_url');
  if (body.kind === 'threshold' && !body.threshold) throw errors.validation('body.threshold: a threshold rule needs below or at_or_above', 'body.threshold');
  const filters = validateWhere(body.filters, 'filters');
  return {
    metric: body.metric, kind: body.kind, interval: body.interval ?? 'hour', breakdown: body.breakdown, filters, threshold: body.threshold,
    min_volume: body.min_volume ?? 100, sensitivity: body.sensitivity ?? 3, weeks: body.weeks ?? 4, cooldown_hours: body.cooldown_hours ?? 6,
    webhook_url: body.webhook_url, enabled: body.enabled ?? true,
  };
}

/** Evaluating a past range runs every rule over every bucket in it: a quarter at most. */
const MAX_EVALUATE_DAYS = 92;

/** The saved rule as answered; a newly made signing secret is shown this once. */
const answer = (rule: AlertRule, createdSecret?: string) => ({ ...withoutSecret(rule), ...(createdSecret && { webhook_secret: createdSecret }) });

export async function alertRoutes(app: FastifyInstance, { warehouse, config }: Services): Promise<void> {
  const policy = outboundPolicy(config.webhooks);
  const readers = { roles: ['analyst', 'marketer', 'admin'] as const };
  const writers = { roles: ['analyst', 'admin'] as const };
  const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

  app.get('/alert-rules', { config: readers, schema: { summary: 'Alert rules (the seed articles’ levels are created for every workspace)' } }, async (request) => ({
    rules: (await listRules(warehouse, request.principal.workspaceId)).map(withoutSecret),
  }));

  app.post('/alert-rules', { config: writers, schema: { summary: 'Create an alert rule', body: RuleBody } }, async (request, reply) => {
    const body = request.body as RuleInput;
    const { spec, created } = withWebhookSecret(toSpec(body, policy));
    const saved = await rulesStore(warehouse).save(request.principal.workspaceId, { name: body.name, spec, changedBy: request.principal.keyId });
    return reply.status(201).send(answer(saved, created));
  });

  app.put('/alert-rules/:id', { config: writers, schema: { summary: 'Change an alert rule (a new version)', params: IdParams, body: RuleBody } }, async (request) => {
    const { id } = request.params as { id: string };
    const ws = request.principal.workspaceId;
    const current = await rulesStore(warehouse).get(ws, id);
    if (!current || current.spec.marker) throw errors.notFound(`alert rule ${id}`);
    const body = request.body as RuleInput;
    const { spec, created } = withWebhookSecret(toSpec(body, policy), current.spec);
    return answer(await rulesStore(warehouse).save(ws, { id, name: body.name, spec, changedBy: request.principal.keyId }), created);
  });

  app.post(
    '/alert-rules/:id/webhook-secret',
    { config: writers, schema: { summary: 'Replace the rule’s webhook signing secret (the new one is shown once)', params: IdParams } },
    async (request) => {
      const { id } = request.params as { id: string };
      const ws = request.principal.workspaceId;
      const current = await rulesStore(warehouse).get(ws, id);
      if (!current || current.spec.marker) throw errors.notFound(`alert rule ${id}`);
      if (!current.spec.webhook_url) throw errors.validation('webhook_url: the rule has no webhook to sign', 'webhook_url');
      const secret = newWebhookSecret();
      await rulesStore(warehouse).save(ws, { id, name: current.name, spec: { ...current.spec, webhook_secret: secret }, changedBy: request.principal.keyId });
      return { id, webhook_secret: secret };
    },
  );

  app.delete('/alert-rules/:id', { config: writers, schema: { summary: 'Delete an alert rule', params: IdParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const current = await rulesStore(warehouse).get(request.principal.workspaceId, id);
    if (!current || current.spec.marker) throw errors.notFound(`alert rule ${id}`);
    await rulesStore(warehouse).remove(request.principal.workspaceId, id, request.principal.keyId);
    return reply.status(204).send();
  });

  app.post(
    '/alerts/evaluate',
    {
      config: writers,
      schema: {
        summary: 'Evaluate the rules now (default: the last complete hour), or over a past range',
        body: Type.Optional(Type.Object({ from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false })),
        querystring: Type.Object({ tz: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as { from?: string; to?: string };
      const now = Date.now();
      const toMs = body.to ? Date.parse(body.to) : Math.floor(now / 3600_000) * 3600_000;
      const fromMs = body.from ? Date.parse(body.from) : toMs - 3600_000;
      // Named after the field the caller gave (a lone `from` after the default `to` is the culprit).
      if (!(toMs > fromMs)) throw body.to ? errors.validation('body.to: must be after body.from', 'body.to') : errors.validation('body.from: must be before the last complete hour', 'body.from');
      if (toMs - fromMs > MAX_EVALUATE_DAYS * 86_400_000) throw errors.validation(`body.from: the range may span at most ${MAX_EVALUATE_DAYS} days`, 'body.from');
      const ws = request.principal.workspaceId;
      const fired = await evaluateAlerts(warehouse, ws, {
        fromMs, toMs, tz: await requestTimeZone(request, warehouse), nowMs: now,
        deliver: (target, alert) => void deliverAlertWebhook(warehouse, ws, target, alert, config.webhooks).catch((err) => request.log.warn({ err }, 'webhook delivery failed')),
      });
      return { evaluated: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() }, fired };
    },
  );

  app.get(
    '/alerts',
    { config: readers, schema: { summary: 'Fired alerts', querystring: Type.Object({ status: Type.Optional(Type.Enum(['open', 'acked'])) }, { additionalProperties: false }) } },
    async (request) => {
      const { status } = request.query as { status?: 'open' | 'acked' };
      const all = await alertsStore(warehouse).list(request.principal.workspaceId, 10_000);
      return { alerts: all.filter((a) => !status || a.spec.status === status).sort((a, b) => b.spec.bucket.localeCompare(a.spec.bucket)) };
    },
  );

  app.post('/alerts/:id/ack', { config: readers, schema: { summary: 'Acknowledge an alert', params: IdParams } }, async (request) => {
    const { id } = request.params as { id: string };
    const acked = await acknowledgeAlert(warehouse, request.principal.workspaceId, id, request.principal.keyId);
    if (!acked) throw errors.notFound(`alert ${id}`);
    return acked;
  });
}
