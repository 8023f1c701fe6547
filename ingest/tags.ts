/** Tags on users: assignments and removals are versioned rows; the newest change of a (user, tag, value) wins. */
import Type, { type Static } from 'typebox';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { errors } from '../common/errors.ts';
import { sql } from '../warehouse/sql-files.ts';
import { formatTs, nextVersion } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

export const TagAssignmentSchema = Type.Object(
  {
    user_id: Type.String({ minLength: 1, maxLength: 128 }),
    tag: Type.String({ minLength: 1, maxLength: 64 }),
    value: Type.Optional(Type.String({ maxLength: 256 })),
    source: Type.Optional(Type.String({ maxLength: 32, description: 'attribute, behaviour, interest, import, manual, ...' })),
  },
  { additionalProperties: false },
);

export const TagRemovalSchema = Type.Object(
  {
    user_id: Type.String({ minLength: 1, maxLength: 128 }),
    tag: Type.String({ minLength: 1, maxLength: 64 }),
    value: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

export type TagAssignment = Static<typeof TagAssignmentSchema>;
export type TagRemoval = Static<typeof TagRemovalSchema>;

export interface TagChanges {
  assignments?: readonly TagAssignment[];
  removals?: readonly TagRemoval[];
}

/** Applies assignments then removals (a removal in the same call wins over an assignment). */
export async function changeTags(wh: Warehouse, workspaceId: string, changes: TagChanges): Promise<{ assigned: number; removed: number }> {
  if (!changes.assignments?.length && !changes.removals?.length) throw errors.invalid('assignments', 'give assignments or removals');
  const now = formatTs(Date.now());
  const row = (c: TagRemoval, source: string, isDeleted: number) => ({
    workspace_id: workspaceId,
    user_id: c.user_id,
    tag: c.tag,
    value: c.value ?? '',
    source,
    assigned_at: now,
    version: nextVersion(),
    is_deleted: isDeleted,
  });
  const assignments = changes.assignments ?? [];
  const removals = changes.removals ?? [];
  await wh.insert('tags', [...assignments.map((a) => row(a, a.source ?? 'manual', 0)), ...removals.map((r) => row(r, 'manual', 1))]);
  return { assigned: assignments.length, removed: removals.length };
}

export interface UserTag {
  tag: string;
  value: string;
  source: string;
  assigned_at: string;
}

/** The tags a user has now. */
export async function tagsOfUser(wh: Warehouse, workspaceId: string, userId: string): Promise<UserTag[]> {
  return wh.query<UserTag>(sql('tags/of-user'), workspaceParams(workspaceId, { user_id: userId }));
}
