/**
 * Lifecycle stages (the articles' 新客 / 复购 / 忠实 / 沉睡 / 流失) and a workspace's thresholds for them, versioned;
 * unset means the defaults. The stages themselves are computed in SQL (lifecycle-sql.ts).
 */
import { errors } from '../common/errors.ts';
import { MetadataStore } from '../warehouse/metadata-store.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

/** Every stage, in precedence order: a contact is in the first whose condition holds (see lifecycle-sql.ts). */
export const LIFECYCLE_STAGES = ['new', 'churned', 'dormant', 'loyal', 'repeat', 'active'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** Events that count as an interaction: the contact did something (sends and deliveries are what we did). */
export const INTERACTION_TYPES = ['click', 'conversion', 'reply'] as const;

export interface LifecycleSettings {
  /** new: signed up within this many days. */
  new_days: number;
  /** dormant: no interaction for this many days. */
  dormant_days: number;
  /** churned (the re-activation target): no interaction for this many days. */
  churned_days: number;
  /** Conversions are counted over this many days back for repeat and loyal. */
  purchase_window_days: number;
  /** repeat: at least this many conversions in the purchase window. */
  repeat_conversions: number;
  /** loyal: at least this many conversions in the purchase window. */
  loyal_conversions: number;
}

/** From the articles: 15 days a new customer (the 3-7-15 rule), 30 quiet days dormant, 3 months a re-activation target. */
export const DEFAULT_LIFECYCLE: Readonly<LifecycleSettings> = Object.freeze({
  new_days: 15,
  dormant_days: 30,
  churned_days: 90,
  purchase_window_days: 90,
  repeat_conversions: 2,
  loyal_conversions: 4,
});

/** Longest threshold in days: ten years (the events' retention is at most twenty). */
const MAX_DAYS = 3650;
const LIMITS: Readonly<Record<keyof LifecycleSettings, [number, number]>> = {
  new_days: [1, MAX_DAYS],
  dormant_days: [1, MAX_DAYS],
  churned_days: [2, MAX_DAYS],
  purchase_window_days: [7, MAX_DAYS],
  repeat_conversions: [2, 100_000],
  loyal_conversions: [3, 1_000_000],
};

/** The settings with defaults for what is left out, checked; a problem names its field. */
export function validateLifecycleSettings(input: Partial<Record<keyof LifecycleSettings, unknown>>): LifecycleSettings {
  const settings = { ...DEFAULT_LIFECYCLE };
  for (const key of Object.keys(LIMITS) as (keyof LifecycleSettings)[]) {
    const value = input[key];
    if (value === undefined) continue;
    const [lo, hi] = LIMITS[key];
    if (!Number.isInteger(value) || (value as number) < lo || (value as number) > hi) throw errors.invalid(key, `must be a whole number ${lo}-${hi}`);
    settings[key] = value as number;
  }
  // Otherwise a stage could never be reached: churned would swallow dormant, loyal would swallow repeat.
  if (settings.churned_days <= settings.dormant_days) throw errors.invalid('churned_days', `must be more than dormant_days (${settings.dormant_days})`);
  if (settings.loyal_conversions <= settings.repeat_conversions)
    throw errors.invalid('loyal_conversions', `must be more than repeat_conversions (${settings.repeat_conversions})`);
  return settings;
}

const ID = 'lifecycle';
const store = (wh: Warehouse) => new MetadataStore<LifecycleSettings>(wh, 'lifecycle_settings');

/** The workspace's thresholds and their version (0: never set, the defaults). */
export async function lifecycleSettings(wh: Warehouse, workspaceId: string): Promise<{ settings: LifecycleSettings; version: number }> {
  const stored = await store(wh).get(workspaceId, ID);
  // A stored version keeps what it was saved with; fields added later take their defaults.
  return stored ? { settings: { ...DEFAULT_LIFECYCLE, ...stored.spec }, version: stored.version } : { settings: { ...DEFAULT_LIFECYCLE }, version: 0 };
}

/** Stores new thresholds (a new version); fields left out take the defaults. */
export async function saveLifecycleSettings(
  wh: Warehouse,
  workspaceId: string,
  input: Partial<Record<keyof LifecycleSettings, unknown>>,
  changedBy: string,
): Promise<{ settings: LifecycleSettings; version: number }> {
  const spec = validateLifecycleSettings(input);
  const saved = await store(wh).save(workspaceId, { id: ID, name: 'lifecycle stages', spec, changedBy });
  return { settings: saved.spec, version: saved.version };
}
