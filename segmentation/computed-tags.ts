/**
 * Computed tags: a tag defined by a segment rule (`high_value` = RFM champions or loyal), kept true by refreshing
 * it, on demand or on a cron schedule. Definitions are versioned in the metadata store (kind `computed_tags`);
 * a refresh writes tag rows with `source = computed:<id>` (computed-tag-rows.ts).
 *
 * Runs of one definition (and its redefinition or deletion) never overlap in a process: they hold the definition's
 * lock. The embedded engine allows one process per data directory, so that covers every embedded install; against a
 * ClickHouse server two processes refreshing one definition at the same instant would both write the same changes
 * (folded by the tags table, newest row wins) and both report them.
 */
import { workspaceSettings } from '../access/workspaces.ts';
import { now } from '../common/clock.ts';
import { checkCron } from '../common/cron-schedule.ts';
import { errors } from '../common/errors.ts';
import { processLocks } from '../warehouse/keyed-mutex.ts';
import { MetadataStore, type MetadataRecord } from '../warehouse/metadata-store.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { sql } from '../warehouse/sql-files.ts';
import { parseTs } from '../warehouse/time.ts';
import { removeComputedTagRows, writeComputedTagRows } from './computed-tag-rows.ts';
import type { Rule } from './rule-types.ts';
import { validateRule } from './rule-validation.ts';
import { previewRule } from './segments.ts';

export interface ComputedTagSpec {
  tag: string;
  /** '' for a tag without a value (`{"tag": "high_value"}`). */
  value: string;
  rule: Rule;
  /** A 5-field cron expression (evaluated in the workspace's time zone by the scheduler), or null: refreshed on demand only. */
  schedule: string | null;
  enabled: boolean;
}

export type ComputedTag = MetadataRecord<ComputedTagSpec>;

/** What a caller gives to define (or redefine) a computed tag; checked by checkDefinition. */
export interface ComputedTagInput {
  tag: unknown;
  value?: unknown;
  rule: unknown;
  schedule?: unknown;
  enabled?: unknown;
}

const computedTagStore = (wh: Warehouse) => new MetadataStore<ComputedTagSpec>(wh, 'computed_tags');

/** Runs `task` alone among this process's refreshes, redefinitions and deletions of the definition. */
function withDefinitionLock<T>(wh: Warehouse, workspaceId: string, id: string, task: () => Promise<T>): Promise<T> {
  return processLocks.run(JSON.stringify(['computed_tag', wh.config.url ?? 'embedded', wh.database, workspaceId, id]), task);
}

/** A 5-field cron expression checked like a segment's schedule (fires, and not too often); else a 400 naming `path`. */
function checkSchedule(expression: unknown, path: string, minIntervalMinutes: number): string {
  if (typeof expression !== 'string' || expression.trim().split(/\s+/).length !== 5)
    throw errors.invalid(path, 'must be a cron expression of 5 fields (minute hour day-of-month month day-of-week)');
  checkCron(expression.trim(), minIntervalMinutes, path);
  return expression.trim();
}

/** The path of the first tag leaf of `rule` that names the tag being defined (a tag may not define itself). */
function selfReference(rule: Rule, tag: string, value: string, path: string): string | undefined {
  if ('all' in rule || 'any' in rule) {
    const [key, list] = 'all' in rule ? ['all', rule.all] : ['any', rule.any];
    for (const [i, child] of list.entries()) {
      const found = selfReference(child, tag, value, `${path}.${key}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if ('not' in rule) return selfReference(rule.not, tag, value, `${path}.not`);
  // A leaf without a value matches the tag with any value, this one included.
  if ('tag' in rule && rule.tag === tag && (rule.value === undefined || rule.value === value)) return `${path}.tag`;
  return undefined;
}

/** The definition, checked; every problem names its field (`tag`, `rule.any[1].tag`, `schedule`). */
function checkDefinition(input: ComputedTagInput, minIntervalMinutes: number): ComputedTagSpec {
  const { tag, value = '' } = input;
  if (typeof tag !== 'string' || !tag || tag.length > 64) throw errors.invalid('tag', 'must be a tag name (1-64 characters)');
  if (typeof value !== 'string' || value.length > 256) throw errors.invalid('value', 'must be a string (at most 256 characters)');
  const rule = validateRule(input.rule);
  const self = selfReference(rule, tag, value, 'rule');
  if (self) throw errors.invalid(self, `names the tag this rule defines (${tag}${value ? `=${value}` : ''}): a tag may not define itself`);
  const schedule = input.schedule === undefined || input.schedule === null ? null : checkSchedule(input.schedule, 'schedule', minIntervalMinutes);
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean') throw errors.invalid('enabled', 'must be true or false');
  return { tag, value, rule, schedule, enabled: input.enabled ?? true };
}

/** Every live definition of the workspace (a workspace has few). */
async function allDefinitions(wh: Warehouse, workspaceId: string): Promise<ComputedTag[]> {
  const all: ComputedTag[] = [];
  for (let page = await computedTagStore(wh).list(workspaceId, 1000); page.length;) {
    all.push(...page);
    page = page.length < 1000 ? [] : await computedTagStore(wh).list(workspaceId, 1000, page[page.length - 1]!.id);
  }
  return all;
}

/**
 * Refuses a definition of a tag and value that another definition computes: two rules writing one tag would take
 * it from each other's contacts at every refresh.
 */
async function checkTagFree(wh: Warehouse, workspaceId: string, spec: ComputedTagSpec, id: string | undefined): Promise<void> {
  const other = (await allDefinitions(wh, workspaceId)).find((d) => d.id !== id && d.spec.tag === spec.tag && d.spec.value === spec.value);
  if (other) throw errors.computedTagTaken('tag', `computed tag ${other.id}`);
}

/** Who saves, and the shortest interval a schedule may fire at (the server's SCHEDULE_MIN_INTERVAL_MINUTES). */
interface SaveOptions {
  changedBy: string;
  minIntervalMinutes: number;
}

/** Saves a new definition (version 1). */
export async function createComputedTag(wh: Warehouse, workspaceId: string, input: ComputedTagInput, opts: SaveOptions): Promise<ComputedTag> {
  const spec = checkDefinition(input, opts.minIntervalMinutes);
  // One creation of a tag at a time, so two requests cannot both find it free.
  return processLocks.run(JSON.stringify(['computed_tag_name', wh.database, workspaceId, spec.tag, spec.value]), async () => {
    await checkTagFree(wh, workspaceId, spec, undefined);
    return computedTagStore(wh).save(workspaceId, { name: spec.tag, spec, changedBy: opts.changedBy });
  });
}

export const getComputedTag = (wh: Warehouse, workspaceId: string, id: string) => computedTagStore(wh).get(workspaceId, id);
export const listComputedTags = (wh: Warehouse, workspaceId: string, limit: number, after: string) => computedTagStore(wh).list(workspaceId, limit, after);

/**
 * Saves a new version of a definition. When it now computes another tag (or value), the contacts that carried the
 * old one from this definition lose it at once; the new tag is written by the next refresh.
 */
export async function redefineComputedTag(
  wh: Warehouse,
  workspaceId: string,
  id: string,
  input: ComputedTagInput,
  opts: SaveOptions,
): Promise<ComputedTag | undefined> {
  const spec = checkDefinition(input, opts.minIntervalMinutes);
  return withDefinitionLock(wh, workspaceId, id, async () => {
    const current = await getComputedTag(wh, workspaceId, id);
    if (!current) return undefined;
    await checkTagFree(wh, workspaceId, spec, id);
    const saved = await computedTagStore(wh).save(workspaceId, { id, name: spec.tag, spec, changedBy: opts.changedBy });
    if (current.spec.tag !== spec.tag || current.spec.value !== spec.value) await removeComputedTagRows(wh, workspaceId, { id, ...current.spec }, now());
    return saved;
  });
}

/** Deletes a definition and takes its tag from every contact that carries it from this definition; false when missing. */
export async function deleteComputedTag(wh: Warehouse, workspaceId: string, id: string, changedBy: string): Promise<boolean> {
  return withDefinitionLock(wh, workspaceId, id, async () => {
    const current = await getComputedTag(wh, workspaceId, id);
    if (!current) return false;
    // Rows first: should the tombstone then fail, the definition is still there and a delete can be tried again.
    await removeComputedTagRows(wh, workspaceId, { id, ...current.spec }, now());
    return computedTagStore(wh).remove(workspaceId, id, changedBy);
  });
}

export interface RefreshResult {
  tag: string;
  value: string;
  /** Contacts the rule matches now: each carries the tag once the refresh is done. */
  members: number;
  added: number;
  removed: number;
  refreshed_at: string;
}

/** Evaluates the definition's rule now (in the workspace's time zone) and brings its tag rows in line with it. */
export async function refreshComputedTag(wh: Warehouse, workspaceId: string, id: string): Promise<RefreshResult> {
  return withDefinitionLock(wh, workspaceId, id, async () => {
    const definition = await getComputedTag(wh, workspaceId, id);
    if (!definition) throw errors.notFound(`computed tag ${id}`);
    const nowMs = now();
    const { timezone } = await workspaceSettings(wh, workspaceId);
    const { tag, value, rule } = definition.spec;
    const { added, removed } = await writeComputedTagRows(wh, workspaceId, { id, tag, value, rule }, { nowMs, timezone });
    const { count } = await previewRule(wh, workspaceId, rule, { nowMs, timezone, sample: 0 });
    return { tag, value, members: count, added, removed, refreshed_at: new Date(nowMs).toISOString() };
  });
}

/**
 * The job source of the scheduler: enabled definitions with a schedule, in every workspace. `since` is when the
 * definition (and so its schedule) was last saved, in ms; a run refreshes the tag (`size` = its members).
 */
export const computedTagSchedules = {
  kind: 'computed_tag',
  async list(wh: Warehouse): Promise<{ workspaceId: string; id: string; cron: string; since: number }[]> {
    const rows = await wh.query<{ workspace_id: string; id: string; spec: string; changed_at: string }>(sql('computed-tags/scheduled'));
    return rows.flatMap((row) => {
      const spec = JSON.parse(row.spec) as ComputedTagSpec;
      return spec.enabled && spec.schedule ? [{ workspaceId: row.workspace_id, id: row.id, cron: spec.schedule, since: parseTs(row.changed_at) }] : [];
    });
  },
  async run(wh: Warehouse, workspaceId: string, id: string, _slotMs: number): Promise<{ size?: number; version?: number }> {
    const result = await refreshComputedTag(wh, workspaceId, id);
    return { size: result.members };
  },
};
