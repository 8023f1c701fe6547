/**
 * What changed between two snapshots of one audience: the members added (in `to`, not in `from`) and removed (in
 * `from`, not in `to`), streamed in the export formats and keyset-paginated by user_id over the two immutable
 * snapshots, so a sending system can message only the newcomers.
 */
import { errors } from '../common/errors.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql, sqlWithGenerated } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { audienceVersions, getAudience, type AudienceSpec } from './audiences.ts';
import { exportColumns, streamInFormat, type ExportField, type ExportFormat, type ExportPage } from './exports.ts';

export interface DiffRange {
  from: number;
  to: number;
}

export interface DiffCounts extends DiffRange {
  added: number;
  removed: number;
}

/**
 * The two snapshots a diff compares, checked: `from` older than (or equal to) `to`, else a 400 naming `from`; an
 * audience or a version that is missing, deleted or another workspace's is a 404. Answers the `to` snapshot.
 */
export async function checkedDiffRange(wh: Warehouse, workspaceId: string, audienceId: string, range: DiffRange): Promise<AudienceSpec> {
  const audience = await getAudience(wh, workspaceId, audienceId);
  if (!audience) throw errors.notFound(`audience ${audienceId}`);
  if (range.from > range.to) throw errors.invalid('from', `must be older than to (${range.to})`);
  const versions = await audienceVersions(wh, workspaceId, audienceId);
  for (const version of [range.from, range.to])
    if (!versions.some((v) => v.version === version)) throw errors.notFound(`audience ${audienceId} version ${version}`);
  return versions.find((v) => v.version === range.to)!;
}

const diffParams = (workspaceId: string, audienceId: string, range: DiffRange, after: string) =>
  workspaceParams(workspaceId, { audience: audienceId, from: range.from, to: range.to, after });

/** How many members the diff adds and removes (call checkedDiffRange first). */
export async function audienceDiffCounts(wh: Warehouse, workspaceId: string, audienceId: string, range: DiffRange): Promise<DiffCounts> {
  const [row] = await wh.query<{ added: string; removed: string }>(sql('audiences/diff-counts'), diffParams(workspaceId, audienceId, range, ''));
  return { ...range, added: Number(row?.added ?? 0), removed: Number(row?.removed ?? 0) };
}

/** One page of the diff after `after`, each row with `change` (added or removed) first (call checkedDiffRange first). */
export async function diffAudiencePage(
  wh: Warehouse,
  workspaceId: string,
  audienceId: string,
  range: DiffRange,
  opts: { fields: readonly ExportField[]; format: ExportFormat; after: string; limit: number; maskPhones: boolean },
): Promise<ExportPage> {
  const params = { ...diffParams(workspaceId, audienceId, range, opts.after), limit: opts.limit };
  const end = await wh.query<{ user_id: string }>(sql('audiences/diff-page-end'), { ...params, offset: opts.limit - 1 });
  const statement = sqlWithGenerated('audiences/diff', { columns: exportColumns(opts.fields, opts.maskPhones) });
  const page = await streamInFormat(wh, statement, params, opts.format);
  return { ...page, nextAfter: end.length === 2 ? end[0]!.user_id : null };
}
