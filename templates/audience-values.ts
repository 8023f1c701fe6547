/** The longest value each template variable takes in an audience's newest snapshot, in one bounded query. */
import { errors } from '../common/errors.ts';
import { audienceVersions } from '../segmentation/audiences.ts';
import { EXPORT_FIELDS } from '../segmentation/exports.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sqlWithGenerated } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

/** Export fields a variable may name directly; any other variable is looked up as a contact attribute. */
const SCALAR_FIELDS = EXPORT_FIELDS.filter((f) => f !== 'attributes');

// Field names come from the export catalogue, never from the request.
const LONGEST_FIELDS = SCALAR_FIELDS.map((f) => `argMax(ifNull(toString(${f}), ''), lengthUTF8(ifNull(toString(${f}), ''))) AS ${f}`).join(',\n    ');

interface LongestRow {
  attribute_values: string[];
  attribute_counts: (string | number)[];
  [field: string]: unknown;
}

/**
 * variable → its longest value over the members the newest snapshot sends to (excluded ones left out), for
 * every variable the audience provides: the export fields, and attribute keys at least one member carries.
 * Longest is by characters. Another workspace's audience, or one without a snapshot, is NOT_FOUND.
 */
export async function longestValues(wh: Warehouse, workspaceId: string, audienceId: string, variables: readonly string[]): Promise<Map<string, string>> {
  const versions = await audienceVersions(wh, workspaceId, audienceId);
  if (!versions.length) throw errors.notFound(`audience ${audienceId}`);
  const version = Math.max(...versions.map((v) => v.version));
  const keys = [...new Set(variables.filter((v) => !SCALAR_FIELDS.includes(v)))];
  const statement = sqlWithGenerated('templates/longest-values', { longest_fields: LONGEST_FIELDS });
  const [row] = await wh.query<LongestRow>(statement, workspaceParams(workspaceId, { audience: audienceId, version, keys }));
  const values = new Map<string, string>(SCALAR_FIELDS.map((f) => [f, String(row?.[f] ?? '')]));
  keys.forEach((key, i) => {
    if (Number(row?.attribute_counts[i] ?? 0) > 0) values.set(key, row!.attribute_values[i] ?? '');
  });
  return values;
}
