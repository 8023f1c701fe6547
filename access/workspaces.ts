/** Workspaces: the unit of isolation. Settings are versioned metadata; the newest version wins. */
import { errors } from '../common/errors.ts';
import { MetadataStore, type MetadataRecord } from '../warehouse/metadata-store.ts';
import { canonicalTimeZone, type Locale } from './time-zones.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

export interface WorkspaceSettings {
  /** IANA zone for every calendar computation (day buckets, hour of week, quiet hours, birthdays). */
  timezone: string;
  locale: Locale;
  /** ISO 4217 code of prices, costs and revenue (amounts are never converted). */
  currency: string;
}

export const DEFAULT_SETTINGS: WorkspaceSettings = { timezone: 'Asia/Shanghai', locale: 'zh-CN', currency: 'CNY' };

/** An ISO 4217 code: three capital letters. */
export const CURRENCY = /^[A-Z]{3}$/;

export const WORKSPACE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const store = (wh: Warehouse) => new MetadataStore<WorkspaceSettings>(wh, 'workspaces');

/** Creates the workspace with default settings if it does not exist yet. */
export async function ensureWorkspace(wh: Warehouse, id: string, createdBy: string): Promise<void> {
  if (!WORKSPACE_ID.test(id)) throw new Error(`invalid workspace id ${JSON.stringify(id)}`);
  const existing = await store(wh).get(id, id);
  if (!existing) await store(wh).save(id, { id, name: id, spec: DEFAULT_SETTINGS, changedBy: createdBy });
}

/** Settings are read on many requests; a short cache keeps that off the warehouse. */
const SETTINGS_CACHE_MS = 5_000;
const settingsCache = new Map<string, { settings: WorkspaceSettings; until: number }>();

/** The workspace's current settings. */
export async function workspaceSettings(wh: Warehouse, id: string): Promise<WorkspaceSettings> {
  const hit = settingsCache.get(id);
  if (hit && hit.until > Date.now()) return hit.settings;
  const settings = { ...DEFAULT_SETTINGS, ...(await store(wh).get(id, id))?.spec };
  // A zone saved before zones were checked against the engine must not break every query of the workspace.
  settings.timezone = (await canonicalTimeZone(wh, settings.timezone)) ?? DEFAULT_SETTINGS.timezone;
  if (settingsCache.size > 10_000) settingsCache.clear();
  settingsCache.set(id, { settings, until: Date.now() + SETTINGS_CACHE_MS });
  return settings;
}

/** Saves setting changes as a new version; a time zone is stored in the warehouse's own spelling, an unknown one refused; earlier versions stay stored. */
export async function updateWorkspaceSettings(
  wh: Warehouse,
  id: string,
  changes: Partial<WorkspaceSettings>,
  changedBy: string,
): Promise<MetadataRecord<WorkspaceSettings>> {
  if (changes.timezone !== undefined) {
    const zone = await canonicalTimeZone(wh, changes.timezone);
    if (!zone) throw errors.invalid('timezone', `${JSON.stringify(changes.timezone)} is not an IANA time zone the warehouse knows`);
    changes = { ...changes, timezone: zone };
  }
  if (changes.currency !== undefined && !CURRENCY.test(changes.currency)) throw errors.invalid('currency', 'must be an ISO 4217 code such as CNY');
  // Merged onto the stored settings under the object's lock (not onto the cache), so concurrent changes of
  // different settings both stay.
  const saved = await store(wh).update(id, id, changedBy, (current) => ({ name: id, spec: { ...DEFAULT_SETTINGS, ...current?.spec, ...changes } }));
  settingsCache.delete(id);
  return saved!;
}
