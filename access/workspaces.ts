/** Workspaces: the unit of isolation. Settings are versioned metadata; the newest version wins. */
import { MetadataStore } from '../warehouse/metadata-store.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

export interface WorkspaceSettings {
  timezone: string;
  locale: string;
}

export const DEFAULT_SETTINGS: WorkspaceSettings = { timezone: 'Asia/Shanghai', locale: 'zh-CN' };

export const WORKSPACE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const store = (wh: Warehouse) => new MetadataStore<WorkspaceSettings>(wh, 'workspaces');

/** Creates the workspace with default settings if it does not exist yet. */
export async function ensureWorkspace(wh: Warehouse, id: string, createdBy: string): Promise<void> {
  if (!WORKSPACE_ID.test(id)) throw new Error(`invalid workspace id ${JSON.stringify(id)}`);
  const existing = await store(wh).get(id, id);
  if (!existing) await store(wh).save(id, { id, name: id, spec: DEFAULT_SETTINGS, changedBy: createdBy });
}

/** The workspace's current settings. */
export async function workspaceSettings(wh: Warehouse, id: string): Promise<WorkspaceSettings> {
  return (await store(wh).get(id, id))?.spec ?? DEFAULT_SETTINGS;
}
