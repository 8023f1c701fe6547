/**
 * Alerts on dashboard metrics. A rule is a fixed threshold (the seed articles' levels are built-in
 * defaults of every workspace, alert-defaults.ts) or an anomaly detector: the bucket's rate against the same hour of week
 * (or weekday, for daily buckets) in the past weeks, expected range = median ± sensitivity × max(1.4826 ×
 * MAD, binomial standard error of the bucket); or, per template, the delivery rate against the template's own
 * recent past (template-drop.ts). Buckets below min_volume never fire; a cooldown stops
 * repeats per rule and breakdown value; a webhook receives each new alert (alert-webhooks.ts).
 */
import { now } from '../common/clock.ts';
import { errors } from '../common/errors.ts';
import { addZoneDays, bucketEnd } from '../common/zone-time.ts';
import { webhookUrlProblem, type OutboundPolicy } from '../notify/outbound-policy.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { MetadataStore } from '../warehouse/metadata-store.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql } from '../warehouse/sql-files.ts';
import { alertSettings, BUILT_IN_RULES, builtInRule } from './alert-defaults.ts';
import type { Alert, AlertRule, AlertRuleSpec, AlertSpec, DiagnoseTemplate, TemplateDropDetail, WebhookTarget } from './alert-types.ts';
import { validateWhere } from './event-filters.ts';
import { metricCounts, rateOf, type MetricName } from './metrics.ts';
import { baselineStart, TEMPLATE_DROP_DEFAULTS, templateDrops } from './template-drop.ts';

export const rulesStore = (wh: Warehouse) => new MetadataStore<AlertRuleSpec>(wh, 'alert_rules');
export const alertsStore = (wh: Warehouse) => new MetadataStore<AlertSpec>(wh, 'alerts');

/** Metrics where a rise is the problem; for the others a drop is. */
const BAD_WHEN_HIGH: ReadonlySet<MetricName> = new Set(['complaint_rate', 'unsubscribe_rate']);

/** The built-in default rules that apply to the workspace: none saved a version of them (and its settings take them). */
async function builtInRulesOf(wh: Warehouse, workspaceId: string): Promise<AlertRule[]> {
  if ((await alertSettings(wh, workspaceId)).default_rules !== 'built_in') return [];
  const saved = await rulesStore(wh).storedIds(
    workspaceId,
    BUILT_IN_RULES.map((r) => r.id),
  );
  return BUILT_IN_RULES.filter((r) => !saved.has(r.id));
}

/** The workspace's rules in id order: the stored ones and the built-in defaults it has not saved. Writes nothing. */
export async function listRules(wh: Warehouse, workspaceId: string): Promise<AlertRule[]> {
  const [stored, builtIn] = await Promise.all([rulesStore(wh).list(workspaceId, 1000), builtInRulesOf(wh, workspaceId)]);
  return [...stored, ...builtIn].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** One rule: its newest stored version, else the built-in default of that id; undefined when missing or deleted. */
export async function getRule(wh: Warehouse, workspaceId: string, id: string): Promise<AlertRule | undefined> {
  const stored = await rulesStore(wh).get(workspaceId, id);
  if (stored || !builtInRule(id)) return stored;
  return (await builtInRulesOf(wh, workspaceId)).find((r) => r.id === id);
}

/** What a rule may leave out, filled with the defaults. */
export type AlertRuleInput = Pick<AlertRuleSpec, 'metric' | 'kind' | 'filters' | 'threshold' | 'breakdown' | 'webhook_url'> &
  Partial<Omit<AlertRuleSpec, 'webhook_secret'>>;

/**
 * A rule's spec from what the caller gave: hourly, at least 100 in the denominator, 3 MADs over 4 weeks, 6 h cooldown, enabled;
 * a template rule is broken down by template and compares with its 7 days before, firing 10 % below them.
 */
export function ruleSpec(input: AlertRuleInput): AlertRuleSpec {
  const perTemplate = input.kind === 'template_delivery_drop';
  return {
    metric: input.metric,
    kind: input.kind,
    interval: input.interval ?? 'hour',
    breakdown: perTemplate ? 'template_id' : input.breakdown,
    ...(perTemplate && {
      baseline_days: input.baseline_days ?? TEMPLATE_DROP_DEFAULTS.baseline_days,
      max_drop: input.max_drop ?? TEMPLATE_DROP_DEFAULTS.max_drop,
    }),
    filters: input.filters,
    threshold: input.threshold,
    min_volume: input.min_volume ?? 100,
    sensitivity: input.sensitivity ?? 3,
    weeks: input.weeks ?? 4,
    cooldown_hours: input.cooldown_hours ?? 6,
    webhook_url: input.webhook_url,
    enabled: input.enabled ?? true,
  };
}

/**
 * A rule as a caller wrote it (`filters` unchecked), checked where a schema cannot and defaulted: the webhook URL
 * against the outbound policy (again after DNS at each delivery), a threshold rule's bounds, the event filters.
 */
export function checkedRuleSpec(input: Omit<AlertRuleInput, 'filters'> & { filters?: unknown }, policy: OutboundPolicy): AlertRuleSpec {
  const urlProblem = input.webhook_url === undefined ? undefined : webhookUrlProblem(policy, input.webhook_url);
  if (urlProblem) throw errors.invalid('webhook_url', urlProblem);
  if (input.kind === 'threshold' && !input.threshold) throw errors.invalid('threshold', 'a threshold rule needs below or at_or_above');
  if (input.kind === 'template_delivery_drop') {
    if (input.metric !== 'delivery_rate') throw errors.invalid('metric', 'a template_delivery_drop rule judges delivery_rate');
    if (input.breakdown !== undefined && input.breakdown !== 'template_id')
      throw errors.invalid('breakdown', 'a template_delivery_drop rule is per template_id');
  } else {
    for (const field of ['baseline_days', 'max_drop'] as const)
      if (input[field] !== undefined) throw errors.invalid(field, 'applies to template_delivery_drop rules only');
  }
  return ruleSpec({ ...input, filters: validateWhere(input.filters, 'filters') });
}

/** Saves a new version of a rule (a new rule without `id`; a built-in default's first saved version with its id). */
export function saveRule(wh: Warehouse, workspaceId: string, rule: { id?: string; name: string; spec: AlertRuleSpec; changedBy: string }): Promise<AlertRule> {
  return rulesStore(wh).save(workspaceId, rule);
}

/** Deletes a rule (a built-in default stays deleted: its tombstone is stored); false when there is no such rule. */
export async function deleteRule(wh: Warehouse, workspaceId: string, id: string, changedBy: string): Promise<boolean> {
  const current = await getRule(wh, workspaceId, id);
  if (!current) return false;
  return rulesStore(wh).remove(workspaceId, id, changedBy, { name: current.name, spec: current.spec });
}

/** Where a page of alerts starts: after this (bucket, id). */
export interface AlertsPosition {
  bucket: string;
  id: string;
}

/** Fired alerts, newest bucket first (then by id), filtered by status and paged in SQL. */
export function listAlerts(
  wh: Warehouse,
  workspaceId: string,
  opts: { status?: AlertSpec['status']; limit: number; after?: AlertsPosition },
): Promise<Alert[]> {
  return alertsStore(wh).select(workspaceId, sql('alerts/page'), {
    after: '',
    status: opts.status ?? '',
    has_after: opts.after ? 1 : 0,
    after_bucket: opts.after?.bucket ?? '',
    after_id: opts.after?.id ?? '',
    limit: opts.limit,
  });
}

/** One fired alert of the workspace, or undefined (another workspace's alike). */
export const getAlert = (wh: Warehouse, workspaceId: string, id: string): Promise<Alert | undefined> => alertsStore(wh).get(workspaceId, id);

/** How many fired alerts of the workspace are open (not acknowledged). */
export async function countOpenAlerts(wh: Warehouse, workspaceId: string): Promise<number> {
  const [row] = await wh.query<{ open: string }>(sql('alerts/open-count'), workspaceParams(workspaceId, { kind: 'alerts', after: '' }));
  return Number(row?.open ?? 0);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Judgement {
  observed: number;
  low: number | null;
  high: number | null;
  volume: number;
}

/** Whether a bucket's rate is out of line, for one rule. */
function judge(rule: AlertRuleSpec, observed: number, volume: number, history: number[]): Judgement | undefined {
  if (rule.kind === 'threshold') {
    const t = rule.threshold ?? {};
    const fired = (t.below !== undefined && observed < t.below) || (t.at_or_above !== undefined && observed >= t.at_or_above);
    return fired ? { observed, low: t.below ?? null, high: t.at_or_above ?? null, volume } : undefined;
  }
  if (history.length < 2) return undefined; // no baseline yet
  const med = median(history);
  const mad = median(history.map((x) => Math.abs(x - med))) * 1.4826;
  // A flat history has MAD 0: the bucket's own sampling noise sets the floor of the band.
  const spread = Math.max(mad, Math.sqrt((med * (1 - med)) / volume));
  const low = med - rule.sensitivity * spread;
  const high = med + rule.sensitivity * spread;
  const fired = BAD_WHEN_HIGH.has(rule.metric) ? observed > high : observed < low;
  return fired ? { observed, low, high, volume } : undefined;
}

/** A bucket a rule finds out of line, before cooldowns; a template rule's carries the template's figures. */
interface Candidate {
  bucketMs: number;
  group: string;
  judgement: Judgement;
  template?: Pick<TemplateDropDetail, 'id' | 'delivery_rate' | 'baseline_rate' | 'sends' | 'baseline_sends'>;
}

type Window = { fromMs: number; toMs: number; tz: string };

/** One threshold or anomaly rule's out-of-line complete buckets in the window. */
async function metricCandidates(wh: Warehouse, workspaceId: string, spec: AlertRuleSpec, w: Window): Promise<Candidate[]> {
  const historyFrom = spec.kind === 'anomaly' ? addZoneDays(w.fromMs, -7 * spec.weeks, w.tz) : w.fromMs;
  const rows = await metricCounts(wh, workspaceId, {
    fromMs: historyFrom,
    toMs: w.toMs,
    interval: spec.interval,
    tz: w.tz,
    breakdown: spec.breakdown,
    filters: spec.filters ?? [],
  });
  const byKey = new Map(rows.map((r) => [`${Number(r.bucket_s) * 1000}|${r.grp}`, rateOf(spec.metric, r)]));
  const out: Candidate[] = [];
  for (const row of rows) {
    const bucketMs = Number(row.bucket_s) * 1000;
    // Only complete buckets are judged: a bucket still filling reads low for no reason.
    if (bucketMs < w.fromMs || bucketEnd(bucketMs, spec.interval, w.tz) > w.toMs) continue;
    const r = rateOf(spec.metric, row);
    if (r.rate === null || r.denominator < spec.min_volume) continue;
    const history: number[] = [];
    for (let wk = 1; wk <= spec.weeks; wk++) {
      const past = byKey.get(`${addZoneDays(bucketMs, -7 * wk, w.tz)}|${row.grp}`);
      if (past && past.rate !== null && past.denominator >= spec.min_volume) history.push(past.rate);
    }
    const judgement = judge(spec, r.rate, r.denominator, history);
    if (judgement) out.push({ bucketMs, group: row.grp, judgement });
  }
  return out;
}

/** One template_delivery_drop rule's templates whose delivery fell against their own baseline (template-drop.ts). */
async function templateCandidates(wh: Warehouse, workspaceId: string, spec: AlertRuleSpec, w: Window): Promise<Candidate[]> {
  const rows = await metricCounts(wh, workspaceId, {
    fromMs: baselineStart(spec, w.fromMs, w.tz),
    toMs: w.toMs,
    interval: spec.interval,
    tz: w.tz,
    breakdown: 'template_id',
    filters: spec.filters ?? [],
  });
  return templateDrops(spec, rows, w).map((d) => ({
    bucketMs: d.bucketMs,
    group: d.templateId,
    judgement: { observed: d.rate, low: d.floor, high: null, volume: d.sends },
    template: { id: d.templateId, delivery_rate: d.rate, baseline_rate: d.baselineRate, sends: d.sends, baseline_sends: d.baselineSends },
  }));
}

/**
 * Evaluates every enabled rule on the buckets that start in [fromMs, toMs) (the schedule passes the
 * last complete bucket), records the alerts that fire, and hands them to the webhooks. Buckets, their
 * ends and the weeks of history are calendar steps in `tz`: a week back is the same wall-clock hour
 * seven days earlier (7×24 h ± a DST shift), a day bucket is midnight to midnight (23 to 25 h).
 * Template rules need `diagnoseTemplate` (the templates domain's, handed in by the adapters).
 */
export async function evaluateAlerts(
  wh: Warehouse,
  workspaceId: string,
  opts: Window & {
    nowMs: number;
    deliver?: (target: WebhookTarget, alert: Alert) => void;
    onRuleError?: (ruleId: string, err: unknown) => void;
    diagnoseTemplate?: DiagnoseTemplate;
  },
): Promise<Alert[]> {
  const fired: Alert[] = [];
  const existing = (await alertsStore(wh).list(workspaceId, 100_000)).map((a) => a.spec);
  for (const rule of await listRules(wh, workspaceId)) {
    if (!rule.spec.enabled) continue;
    const spec = rule.spec;
    let candidates;
    try {
      if (spec.kind === 'template_delivery_drop' && !opts.diagnoseTemplate) throw new Error('template rules need the templates domain (diagnoseTemplate)');
      candidates = await (spec.kind === 'template_delivery_drop' ? templateCandidates : metricCandidates)(wh, workspaceId, spec, opts);
    } catch (err) {
      // One rule that cannot be read (a stored rule from an older version, a timeout) must not switch the others off.
      opts.onRuleError?.(rule.id, err);
      continue;
    }
    for (const { bucketMs, group: grp, judgement: j, template } of candidates) {
      const group = spec.breakdown ? grp : undefined;
      // Already fired for this bucket (evaluation is repeated), or within the cooldown of another.
      const cooling = [...existing, ...fired.map((f) => f.spec)].some(
        (a) =>
          a.rule_id === rule.id &&
          a.breakdown_value === group &&
          (Date.parse(a.bucket) === bucketMs || Math.abs(Date.parse(a.bucket) - bucketMs) < spec.cooldown_hours * 3600_000),
      );
      if (cooling) continue;
      let detail;
      try {
        const window = { fromMs: bucketMs, toMs: bucketEnd(bucketMs, spec.interval, opts.tz) };
        detail = template && { ...template, ...(await opts.diagnoseTemplate!(workspaceId, template.id, window)) };
      } catch (err) {
        // Not recorded, so the next pass fires it with its diagnosis; the other rules still run.
        opts.onRuleError?.(rule.id, err);
        continue;
      }
      const alert = await alertsStore(wh).save(workspaceId, {
        name: detail
          ? `template delivery drop (${detail.name ?? 'unregistered template'} ${detail.id})`
          : `${spec.metric}${group !== undefined ? ` (${spec.breakdown} ${group})` : ''}`,
        spec: {
          rule_id: rule.id,
          metric: spec.metric,
          kind: spec.kind,
          bucket: new Date(bucketMs).toISOString(),
          ...(spec.breakdown && { breakdown: spec.breakdown, breakdown_value: group }),
          observed: j.observed,
          expected_low: j.low,
          expected_high: j.high,
          volume: j.volume,
          ...(detail && { template: detail }),
          status: 'open',
          fired_at: new Date(opts.nowMs).toISOString(),
        },
        changedBy: 'evaluation',
      });
      fired.push(alert);
      if (spec.webhook_url) opts.deliver?.({ url: spec.webhook_url, secret: spec.webhook_secret }, alert);
    }
  }
  return fired;
}

/** Acknowledges an open alert (a new version); false when there is no such open alert. */
export async function acknowledgeAlert(wh: Warehouse, workspaceId: string, id: string, by: string): Promise<Alert | undefined> {
  let unchanged: Alert | undefined;
  // Under the object's lock: a webhook outcome recorded meanwhile is kept.
  const acked = await alertsStore(wh).update(workspaceId, id, by, (current) => {
    if (current?.spec.status === 'acked') unchanged = current;
    if (!current || unchanged) return undefined;
    return { name: current.name, spec: { ...current.spec, status: 'acked', acked_at: new Date(now()).toISOString() } };
  });
  return acked ?? unchanged;
}
