/**
 * The default alert rules: the seed articles' fixed levels, built into the platform rather than written
 * into each workspace. They are supplied at read time under fixed ids (`default_<metric>`) until the
 * workspace saves a version of one (an edit, or a deletion's tombstone), which then counts instead.
 *
 * A workspace's alert settings (a versioned record like the rest) say whether the built-ins apply:
 * workspaces whose defaults an earlier version saved as ordinary rules say `saved` (migration 0016), so
 * their list is not doubled; a workspace with no settings record has the built-ins.
 */
import { MetadataStore, type MetadataRecord } from '../warehouse/metadata-store.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { AlertRuleSpec } from './alert-types.ts';
import type { Breakdown } from './event-filters.ts';
import { THRESHOLDS, type MetricName } from './metrics.ts';

export interface AlertSettings {
  /** `built_in`: the default rules are supplied at read time; `saved`: they are stored as ordinary rules. */
  default_rules: 'built_in' | 'saved';
}

const SETTINGS_ID = 'alert_settings';
const FALLBACK_SETTINGS: AlertSettings = { default_rules: 'built_in' };
const settingsStore = (wh: Warehouse) => new MetadataStore<AlertSettings>(wh, 'alert_settings');

/** The workspace's alert settings; the fallback when none are stored (nothing is written). */
export async function alertSettings(wh: Warehouse, workspaceId: string): Promise<AlertSettings> {
  return (await settingsStore(wh).get(workspaceId, SETTINGS_ID))?.spec ?? FALLBACK_SETTINGS;
}

/**
 * How the default rules judge each metric: sends and receipts hourly (a delivery collapse must be seen
 * within the hour, per carrier); clicks and conversions weekly, because they trail deliveries by hours
 * (an evening campaign's conversions land on the next day) and a day would read low for no reason;
 * complaints only on large volumes, because at 0.1 % a single complaint in 1,000 would fire.
 */
const DEFAULT_JUDGING: Partial<Record<MetricName, Pick<AlertRuleSpec, 'interval' | 'min_volume'> & { breakdown?: Breakdown }>> = {
  send_success_rate: { interval: 'hour', min_volume: 100 },
  delivery_rate: { interval: 'hour', min_volume: 100, breakdown: 'carrier' },
  click_rate: { interval: 'week', min_volume: 1000 },
  conversion_rate: { interval: 'week', min_volume: 1000 },
  complaint_rate: { interval: 'week', min_volume: 10_000 },
};

/** A built-in rule was never saved: version 0, by `defaults`, at the epoch. */
const BUILT_IN_AT = new Date(0).toISOString();

/** The built-in default rules, in id order (as a list answers them). */
export const BUILT_IN_RULES: readonly MetadataRecord<AlertRuleSpec>[] = (Object.entries(THRESHOLDS) as [MetricName, { below?: number; atOrAbove?: number }][])
  .map(([metric, t]) => ({
    id: `default_${metric}`,
    version: 0,
    name: `${metric} ${t.below !== undefined ? `below ${t.below * 100}%` : `at or above ${t.atOrAbove! * 100}%`}`,
    spec: {
      metric,
      kind: 'threshold' as const,
      threshold: t.below !== undefined ? { below: t.below } : { at_or_above: t.atOrAbove },
      sensitivity: 3,
      weeks: 4,
      cooldown_hours: 6,
      enabled: true,
      interval: 'hour' as const,
      min_volume: 100,
      ...DEFAULT_JUDGING[metric],
    },
    changed_at: BUILT_IN_AT,
    changed_by: 'defaults',
  }))
  .sort((a, b) => (a.id < b.id ? -1 : 1));

/** The built-in rule with this id, if any. */
export const builtInRule = (id: string) => BUILT_IN_RULES.find((r) => r.id === id);
