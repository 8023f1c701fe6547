/** Segments: named, versioned rules; preview runs a rule without saving it. */
import { formatTs } from '../warehouse/time.ts';
import { MetadataStore, type MetadataRecord } from '../warehouse/metadata-store.ts';
import { sql, sqlWithGenerated } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { Params, workspaceParams } from '../warehouse/query-builder.ts';
import { compileRule } from './rule-sql.ts';
import { lifecycleSettings, type LifecycleSettings } from './lifecycle-settings.ts';
import { usesLifecycle, type Rule } from './rule-types.ts';
import { validateRule } from './rule-validation.ts';
import type { FieldAccess } from '../access/pii-policy.ts';

export interface SegmentSpec {
  rule: Rule;
}

export type Segment = MetadataRecord<SegmentSpec>;

const store = (wh: Warehouse) => new MetadataStore<SegmentSpec>(wh, 'segments');

/**
 * Binds the context every compiled rule uses, and compiles it (`lifecycle`: the thresholds, when the rule has a lifecycle
 * leaf; `units`: restricted to those contacts, see CompileContext).
 */
export function compiledRule(
  rule: Rule,
  workspaceId: string,
  nowMs: number,
  timezone: string,
  lifecycle?: LifecycleSettings,
  units?: string,
): { expression: string; params: Record<string, unknown> } {
  const params = new Params(workspaceId, { now: formatTs(nowMs), tz: timezone });
  const expression = compileRule(rule, { params, now: "{now:DateTime64(3, 'UTC')}", tz: '{tz:String}', lifecycle, units });
  return { expression, params: params.values };
}

/** The thresholds a rule's compilation needs: the workspace's when the rule has a lifecycle leaf, else none (no read). */
export async function lifecycleForRule(wh: Warehouse, workspaceId: string, rule: Rule): Promise<LifecycleSettings | undefined> {
  return usesLifecycle(rule) ? (await lifecycleSettings(wh, workspaceId)).settings : undefined;
}

/** compiledRule with the workspace's lifecycle thresholds read when the rule needs them. */
export async function compiledRuleOf(wh: Warehouse, rule: Rule, workspaceId: string, nowMs: number, timezone: string) {
  return compiledRule(rule, workspaceId, nowMs, timezone, await lifecycleForRule(wh, workspaceId, rule));
}

/** Saves a segment; with `expectedVersion` only if that is still its newest version (else VERSION_CONFLICT). */
export async function saveSegment(
  wh: Warehouse,
  workspaceId: string,
  input: { id?: string; name: string; rule: unknown; expectedVersion?: number },
  changedBy: string,
): Promise<Segment> {
  const rule = validateRule(input.rule);
  return store(wh).save(workspaceId, { id: input.id, name: input.name, spec: { rule }, changedBy, expectedVersion: input.expectedVersion });
}

export const getSegment = (wh: Warehouse, workspaceId: string, id: string) => store(wh).get(workspaceId, id);
/** Every saved version of a segment, oldest first (empty when missing or in another workspace). */
export const segmentVersions = (wh: Warehouse, workspaceId: string, id: string) => store(wh).history(workspaceId, id);
export const listSegments = (wh: Warehouse, workspaceId: string, limit: number, after: string) => store(wh).list(workspaceId, limit, after);

export interface PreviewRow {
  user_id: string;
  phone: string;
  name: string;
  city: string;
  region: string;
  vip_level: number;
}

/** How many contacts a rule matches now, and the first few of them. */
export async function previewRule(
  wh: Warehouse,
  workspaceId: string,
  rule: unknown,
  opts: { nowMs: number; timezone: string; sample: number; access?: FieldAccess },
): Promise<{ count: number; sample: PreviewRow[] }> {
  const { expression, params } = await compiledRuleOf(wh, validateRule(rule, 'rule', opts.access), workspaceId, opts.nowMs, opts.timezone);
  // groupArraySorted needs a positive size: ask for at least one and cut to what was asked.
  const [row] = await wh.query<{ n: string; ids: string[] }>(sqlWithGenerated('segments/preview', { rule: expression }), {
    ...params,
    sample: Math.max(1, opts.sample),
  });
  const ids = (row?.ids ?? []).slice(0, opts.sample);
  const sample = ids.length ? await wh.query<PreviewRow>(sql('segments/preview-sample'), workspaceParams(workspaceId, { ids })) : [];
  return { count: Number(row?.n ?? 0), sample };
}
