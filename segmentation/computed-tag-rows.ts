/**
 * The tag rows of computed tags, written in SQL (INSERT ... SELECT with anti-joins): members are never pulled
 * into Node. Rows carry `source = computed:<definition id>`.
 */
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql, sqlWithGenerated } from '../warehouse/sql-files.ts';
import { formatTs, nextVersion } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { LifecycleSettings } from './lifecycle-settings.ts';
import { compiledRule, lifecycleForRule } from './segments.ts';
import type { Rule } from './rule-types.ts';

/** The `source` of the tag rows a definition writes. */
export const computedTagSource = (id: string) => `computed:${id}`;

interface TagOfDefinition {
  id: string;
  tag: string;
  value: string;
}

/** The parameters naming one definition's rows written at `nowMs` with `version`. */
function rowParams(t: TagOfDefinition, nowMs: number, version: number) {
  return { tag: t.tag, value: t.value, source: computedTagSource(t.id), version, assigned_at: formatTs(nowMs) };
}

/** The statement of one refresh (computed-tags/refresh with the compiled rule) and its parameters. */
export function refreshStatement(
  workspaceId: string,
  t: TagOfDefinition & { rule: Rule },
  opts: { nowMs: number; timezone: string; version: number; lifecycle?: LifecycleSettings },
): { statement: string; params: Record<string, unknown> } {
  const { expression, params } = compiledRule(t.rule, workspaceId, opts.nowMs, opts.timezone, opts.lifecycle);
  return { statement: sqlWithGenerated('computed-tags/refresh', { rule: expression }), params: { ...params, ...rowParams(t, opts.nowMs, opts.version) } };
}

/**
 * Gives the tag to the contacts `rule` matches at `nowMs` that do not carry it, and takes it from those that carry it
 * from this definition and no longer match; answers how many rows of each it wrote.
 */
export async function writeComputedTagRows(
  wh: Warehouse,
  workspaceId: string,
  t: TagOfDefinition & { rule: Rule },
  opts: { nowMs: number; timezone: string },
): Promise<{ added: number; removed: number }> {
  // A version newer than every row written before: it makes this run's rows win, and tells them apart for counting.
  const version = nextVersion();
  const lifecycle = await lifecycleForRule(wh, workspaceId, t.rule);
  const { statement, params } = refreshStatement(workspaceId, t, { ...opts, version, lifecycle });
  await wh.command(statement, params);
  const counts = workspaceParams(workspaceId, rowParams(t, opts.nowMs, version));
  const [row] = await wh.query<{ added: string; removed: string }>(sql('computed-tags/run-counts'), counts);
  return { added: Number(row?.added ?? 0), removed: Number(row?.removed ?? 0) };
}

/** Takes the tag from every contact that carries it from this definition. */
export async function removeComputedTagRows(wh: Warehouse, workspaceId: string, t: TagOfDefinition, nowMs: number): Promise<void> {
  await wh.command(sql('computed-tags/remove-rows'), workspaceParams(workspaceId, rowParams(t, nowMs, nextVersion())));
}
