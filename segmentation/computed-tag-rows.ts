/**
 * The tag rows of computed tags, written in SQL (INSERT ... SELECT with anti-joins): members are never pulled
 * into Node. Rows carry `source = computed:<definition id>`.
 */
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql, sqlWithGenerated } from '../warehouse/sql-files.ts';
import { formatTs, nextVersion } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { compiledRule } from './segments.ts';
import type { Rule } from './rule-types.ts';

/** The `source` of the tag rows a definition writes. */
export const computedTagSource = (id: string) => `computed:${id}`;

interface TagOfDefinition {
  id: string;
  tag: string;
  value: string;
}

/** The parameters naming one definition's rows, with a fresh version (newer than every row written before). */
function rowParams(t: TagOfDefinition, nowMs: number) {
  return { tag: t.tag, value: t.value, source: computedTagSource(t.id), version: nextVersion(), assigned_at: formatTs(nowMs) };
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
  const { expression, params } = compiledRule(t.rule, workspaceId, opts.nowMs, opts.timezone);
  const own = rowParams(t, opts.nowMs);
  await wh.command(sqlWithGenerated('computed-tags/refresh', { rule: expression }), { ...params, ...own });
  const [counts] = await wh.query<{ added: string; removed: string }>(sql('computed-tags/run-counts'), workspaceParams(workspaceId, own));
  return { added: Number(counts?.added ?? 0), removed: Number(counts?.removed ?? 0) };
}

/** Takes the tag from every contact that carries it from this definition. */
export async function removeComputedTagRows(wh: Warehouse, workspaceId: string, t: TagOfDefinition, nowMs: number): Promise<void> {
  await wh.command(sql('computed-tags/remove-rows'), workspaceParams(workspaceId, rowParams(t, nowMs)));
}
