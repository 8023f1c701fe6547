/**
 * Append-only versioned metadata (segments, audiences, experiments, alert rules, workspaces, ...), all in
 * one `metadata` table told apart by `kind`: every save is a new version row, reads take the newest, and
 * a delete is a tombstone version.
 *
 * No edit is ever lost or merged: writes of one object are serialized in the process (KeyedMutex), and
 * each new version number is claimed exactly once across processes (version-claims.ts); a writer that
 * lost the claim gets VERSION_CONFLICT (the API answers 409) and writes nothing.
 */
import crypto from 'node:crypto';
import { processLocks, type KeyedMutex } from './keyed-mutex.ts';
import { sql } from './sql-files.ts';
import { formatTs, isoFromTs, nextVersion } from './time.ts';
import { claimVersion, highestClaim, isVersionConflict, versionConflict } from './version-claims.ts';
import type { Warehouse } from './warehouse.ts';

export { isVersionConflict };

/** When a version is written, from the same app clock as every version stamp. */
const changedAt = () => formatTs(Math.floor(nextVersion() / 1000));

/** What a versioned object is; also its version claims' object_type (the names of the tables before 0016). */
export const METADATA_KINDS = [
  'workspaces',
  'segments',
  'audiences',
  'experiments',
  'alert_rules',
  'cluster_models',
  'alerts',
  'alert_settings',
  'templates',
  'template_settings',
  'computed_tags',
  'segment_webhooks',
  'lifecycle_settings',
  'prices',
  'segment_schedules',
  'saved_queries',
] as const;
export type MetadataKind = (typeof METADATA_KINDS)[number];

export interface MetadataRecord<Spec> {
  id: string;
  version: number;
  name: string;
  spec: Spec;
  changed_at: string;
  changed_by: string;
}

export interface StoredRow {
  id: string;
  version: number;
  name: string;
  spec: string;
  deleted: number;
  changed_at: string;
  changed_by: string;
}

function toRecord<Spec>(row: StoredRow): MetadataRecord<Spec> {
  return {
    id: row.id,
    version: Number(row.version),
    name: row.name,
    spec: JSON.parse(row.spec) as Spec,
    changed_at: isoFromTs(row.changed_at),
    changed_by: row.changed_by,
  };
}

export interface MetadataChange<Spec> {
  name: string;
  spec: Spec;
}

export class MetadataStore<Spec> {
  private readonly locks: KeyedMutex;

  constructor(
    private readonly wh: Warehouse,
    private readonly kind: MetadataKind,
    /** Tests pass their own to play a second process; everyone else shares the process's locks. */
    opts: { locks?: KeyedMutex } = {},
  ) {
    this.locks = opts.locks ?? processLocks;
  }

  private latestRow(workspaceId: string, id: string): Promise<StoredRow | undefined> {
    return this.wh.query<StoredRow>(sql('metadata/latest'), { kind: this.kind, workspace: workspaceId, id }).then(([row]) => row);
  }

  /** Runs `task` alone among this process's writers of the object. */
  private exclusive<T>(workspaceId: string, id: string, task: () => Promise<T>): Promise<T> {
    const key = JSON.stringify([this.wh.config.url ?? 'embedded', this.wh.database, this.kind, workspaceId, id]);
    return this.locks.run(key, task);
  }

  /** The number the next version of the object gets: past every stored and every claimed version. */
  private async nextVersion(workspaceId: string, id: string, latest: StoredRow | undefined): Promise<number> {
    const claimed = await highestClaim(this.wh, { type: this.kind, workspace: workspaceId, id });
    return Math.max(latest ? Number(latest.version) : 0, claimed) + 1;
  }

  /**
   * Writes `row` as version `row.version` of the object if no other writer has claimed that number,
   * else throws VERSION_CONFLICT and writes nothing. Callers hold the object's lock.
   */
  async commit(workspaceId: string, row: StoredRow): Promise<MetadataRecord<Spec>> {
    await claimVersion(this.wh, { type: this.kind, workspace: workspaceId, id: row.id }, row.version);
    await this.wh.insert('metadata', [{ workspace_id: workspaceId, kind: this.kind, ...row }]);
    return toRecord<Spec>(row);
  }

  /** The newest version, or undefined when missing or deleted (another workspace's id is missing too). */
  async get(workspaceId: string, id: string): Promise<MetadataRecord<Spec> | undefined> {
    const row = await this.latestRow(workspaceId, id);
    return row && !Number(row.deleted) ? toRecord<Spec>(row) : undefined;
  }

  /** Every version of one object, oldest first. */
  async history(workspaceId: string, id: string): Promise<MetadataRecord<Spec>[]> {
    const rows = await this.wh.query<StoredRow>(sql('metadata/history'), { kind: this.kind, workspace: workspaceId, id });
    return rows.filter((r) => !Number(r.deleted)).map((r) => toRecord<Spec>(r));
  }

  /** Newest versions of the workspace's live objects, a page at a time in id order. */
  async list(workspaceId: string, limit: number, afterId = ''): Promise<MetadataRecord<Spec>[]> {
    const rows = await this.wh.query<StoredRow>(sql('metadata/list'), { kind: this.kind, workspace: workspaceId, after: afterId, limit });
    return rows.map((r) => toRecord<Spec>(r));
  }

  /**
   * Saves a new version (version 1 when the id is new) and returns it. With `expectedVersion`, the
   * save is refused with VERSION_CONFLICT unless that is still the newest version.
   */
  async save(
    workspaceId: string,
    input: { id?: string; name: string; spec: Spec; changedBy: string; expectedVersion?: number },
  ): Promise<MetadataRecord<Spec>> {
    const id = input.id ?? crypto.randomUUID();
    return this.exclusive(workspaceId, id, async () => {
      const latest = input.id ? await this.latestRow(workspaceId, id) : undefined;
      if (input.expectedVersion !== undefined && Number(latest?.version ?? 0) !== input.expectedVersion) {
        throw versionConflict({ type: this.kind, workspace: workspaceId, id }, input.expectedVersion + 1);
      }
      return this.commit(workspaceId, {
        id,
        version: await this.nextVersion(workspaceId, id, latest),
        name: input.name,
        spec: JSON.stringify(input.spec),
        deleted: 0,
        changed_at: changedAt(),
        changed_by: input.changedBy,
      });
    });
  }

  /**
   * Read-modify-write of one object: `change` gets the newest live version (undefined when there is
   * none) and returns the new name and spec, or undefined to write nothing. No other writer of this
   * process can slip in between the read and the write.
   */
  async update(
    workspaceId: string,
    id: string,
    changedBy: string,
    change: (current: MetadataRecord<Spec> | undefined) => MetadataChange<Spec> | undefined,
  ): Promise<MetadataRecord<Spec> | undefined> {
    return this.exclusive(workspaceId, id, async () => {
      const latest = await this.latestRow(workspaceId, id);
      const next = change(latest && !Number(latest.deleted) ? toRecord<Spec>(latest) : undefined);
      if (!next) return undefined;
      return this.commit(workspaceId, {
        id,
        version: await this.nextVersion(workspaceId, id, latest),
        name: next.name,
        spec: JSON.stringify(next.spec),
        deleted: 0,
        changed_at: changedAt(),
        changed_by: changedBy,
      });
    });
  }

  /**
   * Marks the object deleted with a tombstone version; earlier versions stay stored. `builtIn` is the
   * object as its owner supplies it when nothing is stored (a built-in default): deleting that stores
   * the tombstone as the object's first version.
   */
  async remove(workspaceId: string, id: string, changedBy: string, builtIn?: MetadataChange<Spec>): Promise<boolean> {
    return this.exclusive(workspaceId, id, async () => {
      const latest = await this.latestRow(workspaceId, id);
      if (latest ? Number(latest.deleted) : !builtIn) return false;
      const base = latest ?? { id, name: builtIn!.name, spec: JSON.stringify(builtIn!.spec) };
      const version = await this.nextVersion(workspaceId, id, latest);
      await this.commit(workspaceId, { ...base, version, deleted: 1, changed_at: changedAt(), changed_by: changedBy });
      return true;
    });
  }

  /**
   * Records chosen by a statement of the owner's (sql/queries) that reads `metadata` like metadata/list:
   * it binds the workspace and kind parameters and selects the columns of StoredRow.
   */
  async select(workspaceId: string, statement: string, params: Record<string, unknown>): Promise<MetadataRecord<Spec>[]> {
    const rows = await this.wh.query<StoredRow>(statement, { ...params, kind: this.kind, workspace: workspaceId });
    return rows.map((r) => toRecord<Spec>(r));
  }

  /** Which of `ids` have any version stored, a tombstone included (so a deleted built-in object stays deleted). */
  async storedIds(workspaceId: string, ids: readonly string[]): Promise<Set<string>> {
    const rows = await this.wh.query<{ id: string }>(sql('metadata/stored-ids'), { kind: this.kind, workspace: workspaceId, ids });
    return new Set(rows.map((r) => r.id));
  }
}
