/** The shapes of alert rules and fired alerts, as stored (versioned metadata records) and answered. */
import type { MetadataRecord } from '../warehouse/metadata-store.ts';
import type { WhereClause } from '../warehouse/event-filter-sql.ts';
import type { Breakdown } from './event-filters.ts';
import type { MetricName } from './metrics.ts';

/** `template_delivery_drop`: each template's delivery rate against its own recent past (template-drop.ts). */
export const ALERT_KINDS = ['threshold', 'anomaly', 'template_delivery_drop'] as const;

export interface AlertRuleSpec {
  metric: MetricName;
  kind: (typeof ALERT_KINDS)[number];
  interval: 'hour' | 'day' | 'week';
  breakdown?: Breakdown;
  filters?: WhereClause[];
  threshold?: { below?: number; at_or_above?: number };
  /** Smallest denominator (e.g. delivered messages) a bucket needs to be judged. */
  min_volume: number;
  sensitivity: number;
  weeks: number;
  cooldown_hours: number;
  /** template_delivery_drop: the days before the bucket whose sends make the template's baseline. */
  baseline_days?: number;
  /** template_delivery_drop: fires when the rate is below baseline × (1 − max_drop). */
  max_drop?: number;
  webhook_url?: string;
  /** Signs the rule's webhook bodies; made when a webhook is first saved, never listed again (alert-webhooks.ts). */
  webhook_secret?: string;
  enabled: boolean;
}

export interface AlertSpec {
  rule_id: string;
  metric: MetricName;
  kind: AlertRuleSpec['kind'];
  bucket: string;
  breakdown?: string;
  breakdown_value?: string;
  observed: number;
  expected_low: number | null;
  expected_high: number | null;
  volume: number;
  /** A template_delivery_drop alert: the template, its rate against its baseline, and what may explain the drop. */
  template?: TemplateDropDetail;
  status: 'open' | 'acked';
  fired_at: string;
  acked_at?: string;
  /** The webhook's outcome; `error` says why the last attempt failed. */
  webhook?: { attempts: number; delivered: boolean; status?: number; error?: string };
}

export type AlertRule = MetadataRecord<AlertRuleSpec>;
/** Where a rule's alerts are posted, and the secret that signs them. */
export type WebhookTarget = { url: string; secret?: string };
export type Alert = MetadataRecord<AlertSpec>;

/** A finding of the copy checks on a template's text (templates/copy-checks.ts answers them). */
export interface CopyFinding {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message_en: string;
  message_zh: string;
  position?: number;
}

/** What the template registry and the bucket's receipts say about a template (given by the templates domain). */
export interface TemplateDiagnosis {
  /** The registry's newest name and version; null when the registry does not know the id. */
  name: string | null;
  version: number | null;
  in_registry: boolean;
  /** The bucket's most frequent error codes of failed receipts ('' = no code), share of the failed receipts. */
  top_error_codes: { code: string; count: number; share: number }[];
  /** The copy checks on the template's newest text (none when it is not in the registry). */
  findings: CopyFinding[];
}

/**
 * Diagnoses a template over a window. Analytics may not import the templates domain (peers), so the
 * adapters (the alert route, the server's schedule) hand this in.
 */
export type DiagnoseTemplate = (workspaceId: string, templateId: string, window: { fromMs: number; toMs: number }) => Promise<TemplateDiagnosis>;

export type TemplateDropDetail = TemplateDiagnosis & {
  id: string;
  delivery_rate: number;
  baseline_rate: number;
  /** Accepted sends in the bucket and in the baseline days. */
  sends: number;
  baseline_sends: number;
};
