/** Message templates: named, versioned texts (like segments); every read carries the checks on its copy. */
import { errors } from '../common/errors.ts';
import { MetadataStore, type MetadataRecord } from '../warehouse/metadata-store.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { longestValues } from './audience-values.ts';
import { checkCopy, type CopyReport, type TemplateKind } from './copy-checks.ts';
import { copySettings, type CopySettings } from './copy-settings.ts';

const KINDS: readonly TemplateKind[] = ['promotion', 'service'];
const MAX_TEXT = 1000;

export interface TemplateSpec {
  text: string;
  /** The signature's name without 【】, or null when the text carries its own. */
  signature: string | null;
  channel: string | null;
  kind: TemplateKind;
}

type Template = MetadataRecord<TemplateSpec>;
export type CheckedTemplate = Template & { check: CopyReport };

const store = (wh: Warehouse) => new MetadataStore<TemplateSpec>(wh, 'templates');

export interface TemplateInput {
  id?: string;
  name: string;
  text: string;
  signature?: string | null;
  channel?: string | null;
  kind: string;
  expectedVersion?: number;
}

/** The checks both the API and any other caller get: paths relative to the input. */
function validTemplate(input: TemplateInput): TemplateSpec {
  if (!input.name.trim()) throw errors.invalid('name', 'must not be blank');
  if (!input.text.trim()) throw errors.invalid('text', 'must not be blank');
  if (input.text.length > MAX_TEXT) throw errors.invalid('text', `must be at most ${MAX_TEXT} characters`);
  if (!KINDS.includes(input.kind as TemplateKind)) throw errors.invalid('kind', `must be one of ${KINDS.join(', ')}`);
  const signature = input.signature?.replace(/^【|】$/g, '').trim() || null;
  if (signature && /[【】]/.test(signature)) throw errors.invalid('signature', 'is one name: 【 and 】 only around it');
  return { text: input.text, signature, channel: input.channel?.trim() || null, kind: input.kind as TemplateKind };
}

/** The workspace's lists as check options (undefined: the defaults). */
const listsOf = (s: CopySettings) => ({ bannedWords: s.banned_words ?? undefined, unsubscribeForms: s.unsubscribe_forms ?? undefined });

const checked = (t: Template, settings: CopySettings): CheckedTemplate => ({ ...t, check: checkCopy({ ...t.spec, ...listsOf(settings) }) });

/** Saves a template (a new version when `id` is given); with `expectedVersion` only if that is still the newest. */
export async function saveTemplate(wh: Warehouse, workspaceId: string, input: TemplateInput, changedBy: string): Promise<CheckedTemplate> {
  const spec = validTemplate(input);
  const saved = await store(wh).save(workspaceId, { id: input.id, name: input.name, spec, changedBy, expectedVersion: input.expectedVersion });
  return checked(saved, await copySettings(wh, workspaceId));
}

/** The newest version with its checks; undefined when missing or in another workspace. */
export async function getTemplate(wh: Warehouse, workspaceId: string, id: string): Promise<CheckedTemplate | undefined> {
  const t = await store(wh).get(workspaceId, id);
  return t && checked(t, await copySettings(wh, workspaceId));
}

export async function listTemplates(wh: Warehouse, workspaceId: string, limit: number, after: string): Promise<CheckedTemplate[]> {
  const settings = await copySettings(wh, workspaceId);
  return (await store(wh).list(workspaceId, limit, after)).map((t) => checked(t, settings));
}

/** The newest versions, with their checks, of the templates among `ids` the workspace has (others are left out). */
export async function templatesByIds(wh: Warehouse, workspaceId: string, ids: readonly string[]): Promise<CheckedTemplate[]> {
  if (!ids.length) return [];
  const [found, settings] = await Promise.all([store(wh).select(workspaceId, sql('templates/by-ids'), { after: '', ids }), copySettings(wh, workspaceId)]);
  return found.map((t) => checked(t, settings));
}

export interface CheckRequest {
  text: string;
  kind: string;
  signature?: string | null;
  audienceId?: string;
  bannedWords?: readonly string[];
  unsubscribeForms?: readonly string[];
}

/**
 * Checks a text without saving it; with an audience, parts are counted at each variable's longest value there.
 * Lists given in the request replace the workspace's, which replace the defaults.
 */
export async function checkTemplateText(wh: Warehouse, workspaceId: string, request: CheckRequest): Promise<CopyReport> {
  const spec = validTemplate({ name: 'check', ...request });
  const draft = checkCopy(spec);
  const audienceValues = request.audienceId === undefined ? undefined : await longestValues(wh, workspaceId, request.audienceId, draft.variables);
  const workspace = listsOf(await copySettings(wh, workspaceId));
  return checkCopy({
    ...spec,
    bannedWords: request.bannedWords ?? workspace.bannedWords,
    unsubscribeForms: request.unsubscribeForms ?? workspace.unsubscribeForms,
    audienceValues,
  });
}
