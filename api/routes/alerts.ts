/** Alert rules (CRUD), fired alerts (list, acknowledge) and evaluation on demand. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { deliverAlertWebhook, withoutSecret, withWebhookSecret } from '../../analytics/alert-webhooks.ts';
import { ALERT_KINDS, type AlertRule } from '../../analytics/alert-types.ts';
import { diagnoseTemplate } from '../../templates/diagnosis.ts';
import {
  acknowledgeAlert,
  deleteRule,
  evaluateAlerts,
  getAlert,
  getRule,
  listAlerts,
  listRules,
  checkedRuleSpec,
  saveRule,
  type AlertsPosition,
} from '../../analytics/alerts.ts';
import { BREAKDOWNS } from '../../analytics/event-filters.ts';
import { METRICS } from '../../analytics/metrics.ts';
import { newWebhookSecret } from '../../notify/signature.ts';
import { outboundPolicy } from '../../notify/outbound-policy.ts';
import type { Services } from '../services.ts';
import { pageQuery, readPage } from '../cursor.ts';
import { AnyJson, CopyFinding, ErrorCodeShare, Figure, Measure, NoContent, Nullable, PageOf, Versioned } from '../response-schemas.ts';
import { now } from '../../common/clock.ts';
import { errors } from '../../common/errors.ts';
import { startOfZoneHour } from '../../common/zone-time.ts';
import { requestTimeZone } from '../time-zone.ts';

const RuleBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    metric: Type.Enum([...METRICS]),
    kind: Type.Enum([...ALERT_KINDS], { description: 'template_delivery_drop: each template against its own baseline days (metric delivery_rate)' }),
    interval: Type.Optional(Type.Enum(['hour', 'day', 'week'])),
    breakdown: Type.Optional(Type.Enum([...BREAKDOWNS])),
    filters: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 20 })),
    threshold: Type.Optional(
      Type.Object({ below: Type.Optional(Type.Number()), at_or_above: Type.Optional(Type.Number()) }, { additionalProperties: false, minProperties: 1 }),
    ),
    min_volume: Type.Optional(Type.Integer({ minimum: 1 })),
    sensitivity: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 20 })),
    weeks: Type.Optional(Type.Integer({ minimum: 2, maximum: 26 })),
    cooldown_hours: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 30 })),
    baseline_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 30, description: 'template_delivery_drop: the days before the bucket (default 7)' })),
    max_drop: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'template_delivery_drop: fires below baseline × (1 − max_drop) (default 0.1)' }),
    ),
    webhook_url: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

// Answers. The serializer writes only what these list, so every field of a record is named here (a rule's
// signing secret is not: it is never read back, only shown once as `webhook_secret` beside the rule).
const RuleAnswer = Type.Object({
  ...Versioned(
    Type.Object({
      metric: Type.String(),
      kind: Type.String(),
      interval: Type.String(),
      breakdown: Type.Optional(Type.String()),
      filters: Type.Optional(Type.Array(AnyJson)),
      threshold: Type.Optional(Type.Object({ below: Type.Optional(Type.Number()), at_or_above: Type.Optional(Type.Number()) })),
      min_volume: Type.Number(),
      sensitivity: Type.Number(),
      weeks: Type.Number(),
      cooldown_hours: Type.Number(),
      baseline_days: Type.Optional(Type.Number()),
      max_drop: Type.Optional(Type.Number()),
      webhook_url: Type.Optional(Type.String()),
      enabled: Type.Boolean(),
    }),
  ).properties,
  webhook_secret: Type.Optional(Type.String({ description: 'A new signing secret, shown this once' })),
});
const TemplateDropAnswer = Type.Object(
  {
    id: Type.String(),
    name: Nullable(Type.String()),
    version: Nullable(Type.Integer()),
    in_registry: Type.Boolean(),
    delivery_rate: Figure,
    baseline_rate: Figure,
    sends: Type.Integer(),
    baseline_sends: Type.Integer(),
    top_error_codes: Type.Array(ErrorCodeShare),
    findings: Type.Array(CopyFinding),
  },
  { description: 'A template_delivery_drop alert: the template, its delivery rate against its baseline, error codes and copy findings' },
);
const AlertAnswer = Versioned(
  Type.Object({
    rule_id: Type.String(),
    metric: Type.String(),
    kind: Type.String(),
    bucket: Type.String(),
    breakdown: Type.Optional(Type.String()),
    breakdown_value: Type.Optional(Type.String()),
    observed: Figure,
    expected_low: Measure,
    expected_high: Measure,
    volume: Type.Number(),
    template: Type.Optional(TemplateDropAnswer),
    status: Type.String(),
    fired_at: Type.String(),
    acked_at: Type.Optional(Type.String()),
    webhook: Type.Optional(
      Type.Object({ attempts: Type.Integer(), delivered: Type.Boolean(), status: Type.Optional(Type.Integer()), error: Type.Optional(Type.String()) }),
    ),
  }),
);

/** Evaluating a past range runs every rule over every bucket in it: a quarter at most. */
const MAX_EVALUATE_DAYS = 92;

/** The saved rule as answered; a newly made signing secret is shown this once. */
const answer = (rule: AlertRule, createdSecret?: string) => ({ ...withoutSecret(rule), ...(createdSecret && { webhook_secret: createdSecret }) });

/** A page of alerts continues after the (bucket, id) of the previous page's last alert (sealed in an `alerts` cursor). */
const alertKey = (a: { id: string; spec: { bucket: string } }) => JSON.stringify([a.spec.bucket, a.id]);
const alertsAfter = (after: string): AlertsPosition | undefined => {
  if (after === '') return undefined;
  const [bucket, id] = JSON.parse(after) as [string, string];
  return { bucket, id };
};

export const alertRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse, config }) => {
  const policy = outboundPolicy(config.webhooks);
  const readers = { roles: ['analyst', 'marketer', 'admin'] as const };
  const writers = { roles: ['analyst', 'admin'] as const };
  /** The rule, else the 404 that a missing rule and another workspace's answer alike. */
  const existingRule = async (ws: string, id: string) => {
    const rule = await getRule(warehouse, ws, id);
    if (!rule) throw errors.notFound(`alert rule ${id}`);
    return rule;
  };

  app.get(
    '/alert-rules',
    {
      config: readers,
      schema: {
        summary: 'Alert rules (the seed articles’ levels are built-in defaults of every workspace)',
        response: { 200: Type.Object({ rules: Type.Array(RuleAnswer) }) },
      },
    },
    async (request) => ({ rules: (await listRules(warehouse, request.principal.workspaceId)).map(withoutSecret) }),
  );

  const createRule = { config: writers, schema: { summary: 'Create an alert rule', body: RuleBody, response: { 201: RuleAnswer } } };
  app.post('/alert-rules', createRule, async (request, reply) => {
    const { spec, created } = withWebhookSecret(checkedRuleSpec(request.body, policy));
    const saved = await saveRule(warehouse, request.principal.workspaceId, { name: request.body.name, spec, changedBy: request.principal.keyId });
    return reply.status(201).send(answer(saved, created));
  });

  app.put(
    '/alert-rules/:id',
    { config: writers, schema: { summary: 'Change an alert rule (a new version)', params: IdParams, body: RuleBody, response: { 200: RuleAnswer } } },
    async (request) => {
      const { id } = request.params;
      const ws = request.principal.workspaceId;
      const current = await existingRule(ws, id);
      const { spec, created } = withWebhookSecret(checkedRuleSpec(request.body, policy), current.spec);
      return answer(await saveRule(warehouse, ws, { id, name: request.body.name, spec, changedBy: request.principal.keyId }), created);
    },
  );

  app.post(
    '/alert-rules/:id/webhook-secret',
    {
      config: writers,
      schema: {
        summary: 'Replace the rule’s webhook signing secret (the new one is shown once)',
        params: IdParams,
        response: { 200: Type.Object({ id: Type.String(), webhook_secret: Type.String() }) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const ws = request.principal.workspaceId;
      const current = await existingRule(ws, id);
      if (!current.spec.webhook_url) throw errors.validation('webhook_url: the rule has no webhook to sign', 'webhook_url');
      const secret = newWebhookSecret();
      await saveRule(warehouse, ws, { id, name: current.name, spec: { ...current.spec, webhook_secret: secret }, changedBy: request.principal.keyId });
      return { id, webhook_secret: secret };
    },
  );

  app.delete(
    '/alert-rules/:id',
    { config: writers, schema: { summary: 'Delete an alert rule', params: IdParams, response: { 204: NoContent } } },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await deleteRule(warehouse, request.principal.workspaceId, id, request.principal.keyId))) throw errors.notFound(`alert rule ${id}`);
      return reply.status(204).send();
    },
  );

  app.post(
    '/alerts/evaluate',
    {
      config: writers,
      schema: {
        summary: 'Evaluate the rules now (default: the last complete hour), or over a past range',
        body: Type.Optional(
          Type.Object(
            { from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })) },
            { additionalProperties: false },
          ),
        ),
        querystring: Type.Object({ tz: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ evaluated: Type.Object({ from: Type.String(), to: Type.String() }), fired: Type.Array(AlertAnswer) }) },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const nowMs = now();
      const tz = await requestTimeZone(request, warehouse);
      // The last complete hour on the zone's clock (it ends at xx:30 UTC in +05:30).
      const toMs = body.to ? Date.parse(body.to) : startOfZoneHour(nowMs, tz);
      const fromMs = body.from ? Date.parse(body.from) : toMs - 3600_000;
      // Named after the field the caller gave (a lone `from` after the default `to` is the culprit).
      if (!(toMs > fromMs))
        throw body.to
          ? errors.validation('body.to: must be after body.from', 'body.to')
          : errors.validation('body.from: must be before the last complete hour', 'body.from');
      if (toMs - fromMs > MAX_EVALUATE_DAYS * 86_400_000)
        throw errors.validation(`body.from: the range may span at most ${MAX_EVALUATE_DAYS} days`, 'body.from');
      const ws = request.principal.workspaceId;
      const fired = await evaluateAlerts(warehouse, ws, {
        fromMs,
        toMs,
        tz,
        nowMs,
        deliver: (target, alert) =>
          void deliverAlertWebhook(warehouse, ws, target, alert, config.webhooks).catch((err) => request.log.warn({ err }, 'webhook delivery failed')),
        diagnoseTemplate: (workspaceId, templateId, window) => diagnoseTemplate(warehouse, workspaceId, templateId, window),
      });
      return { evaluated: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() }, fired };
    },
  );

  const AlertsQuery = Type.Object(
    { status: Type.Optional(Type.Enum(['open', 'acked'])), ...pageQuery(config.server.maxPageSize).properties },
    { additionalProperties: false },
  );
  app.get(
    '/alerts',
    {
      config: readers,
      schema: {
        summary: 'Fired alerts, newest bucket first, in pages',
        querystring: AlertsQuery,
        response: { 200: PageOf('alerts', AlertAnswer) },
      },
    },
    (request) =>
      readPage(
        'alerts',
        request.query,
        (limit, after) => listAlerts(warehouse, request.principal.workspaceId, { status: request.query.status, limit, after: alertsAfter(after) }),
        alertKey,
      ),
  );

  app.get(
    '/alerts/:id',
    {
      config: readers,
      schema: { summary: 'One fired alert (the web app draws its series around the bucket)', params: IdParams, response: { 200: AlertAnswer } },
    },
    async (request) => {
      const { id } = request.params;
      const alert = await getAlert(warehouse, request.principal.workspaceId, id);
      if (!alert) throw errors.notFound(`alert ${id}`);
      return alert;
    },
  );

  const ack = { config: readers, schema: { summary: 'Acknowledge an alert', params: IdParams, response: { 200: AlertAnswer } } };
  app.post('/alerts/:id/ack', ack, async (request) => {
    const { id } = request.params;
    const acked = await acknowledgeAlert(warehouse, request.principal.workspaceId, id, request.principal.keyId);
    if (!acked) throw errors.notFound(`alert ${id}`);
    return acked;
  });
};
