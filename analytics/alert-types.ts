/** The shapes of alert rules and fired alerts, as stored (versioned metadata records) and answered. */
import type { MetadataRecord } from '../warehouse/metadata-store.ts';
import type { WhereClause } from '../warehouse/event-filter-sql.ts';
import type { Breakdown } from './event-filters.ts';
import type { MetricName } from './metrics.ts';

export interface AlertRuleSpec {
  metric: MetricName;
  kind: 'threshold' | 'anomaly';
  interval: 'hour' | 'day' | 'week';
  breakdown?: Breakdown;
  filters?: WhereClause[];
  threshold?: { below?: number; at_or_above?: number };
  /** Smallest denominator (e.g. delivered messages) a bucket needs to be judged. */
  min_volume: number;
  sensitivity: number;
  weeks: number;
  cooldown_hours: number;
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
