/** A workspace's own lists for the copy checks (sensitive words, unsubscribe hints), versioned; unset means the defaults. */
import { errors } from '../common/errors.ts';
import { MetadataStore } from '../warehouse/metadata-store.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { DEFAULT_UNSUBSCRIBE_FORMS } from './word-lists.ts';

export interface CopySettings {
  /** Replaces the default sensitive-word list (every word an error); null: the defaults. */
  banned_words: string[] | null;
  /** Replaces the accepted unsubscribe hints; null: the defaults. */
  unsubscribe_forms: string[] | null;
}

const ID = 'copy-checks';
const store = (wh: Warehouse) => new MetadataStore<CopySettings>(wh, 'template_settings');

export async function copySettings(wh: Warehouse, workspaceId: string): Promise<CopySettings> {
  return (await store(wh).get(workspaceId, ID))?.spec ?? { banned_words: null, unsubscribe_forms: null };
}

/** Stores the workspace's lists (a new version); an empty hint list is refused: promotions would always fail. */
export async function saveCopySettings(wh: Warehouse, workspaceId: string, settings: CopySettings, changedBy: string): Promise<CopySettings> {
  const clean = (list: string[] | null) => (list === null ? null : [...new Set(list.map((w) => w.trim()).filter(Boolean))]);
  const spec = { banned_words: clean(settings.banned_words), unsubscribe_forms: clean(settings.unsubscribe_forms) };
  if (spec.unsubscribe_forms?.length === 0)
    throw errors.invalid('unsubscribe_forms', `must name at least one hint (default: ${DEFAULT_UNSUBSCRIBE_FORMS.join(', ')})`);
  return (await store(wh).save(workspaceId, { id: ID, name: 'copy checks', spec, changedBy })).spec;
}
