/**
 * Append-only versioned metadata (segments, audiences, experiments, alert rules, workspaces):
 * every save is a new version row, reads take the newest, and a delete is a tombstone version.
 */
import crypto from 'node:crypto';
import { sql } from './sql-files.ts';
import { formatTs, isoFromTs } from './time.ts';
import type { Warehouse } from './warehouse.ts';

export const METADATA_TABLES = ['workspaces', 'segments', 'audiences', 'experiments', 'alert_rules', 'cluster_models', 'alerts'] as const;
export type MetadataTable = (typeof METADATA_TABLES)[number];

export interface MetadataRecord<Spec> {
  id: string;
  version: number;
  name: string;
  spec: Spec;
  changed_at: string;
  changed_by: string;
}

interface StoredRow {
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

export class MetadataStore<Spec> {
  constructor(
    private readonly wh: Warehouse,
    private readonly table: MetadataTable,
  ) {}

  private async latestRow(workspaceId: string, id: string): Promise<StoredRow | undefined> {
    const [row] = await this.wh.query<StoredRow>(sql('metadata/latest'), { table: this.table, workspace: workspaceId, id });
    return row;
  }

  /** The newest version, or undefined when missing or deleted (another workspace's id is missing too). */
  async get(workspaceId: string, id: string): Promise<MetadataRecord<Spec> | undefined> {
    const row = await this.latestRow(workspaceId, id);
    return row && !Number(row.deleted) ? toRecord<Spec>(row) : undefined;
  }

  /** Every version of one object, oldest first. */
  async history(workspaceId: string, id: string): Promise<MetadataRecord<Spec>[]> {
    const rows = await this.wh.query<StoredRow>(sql('metadata/history'), { table: this.table, workspace: workspaceId, id });
    return rows.filter((r) => !Number(r.deleted)).map((r) => toRecord<Spec>(r));
  }

  /** Newest versions of the workspace's live objects, a page at a time in id order. */
  async list(workspaceId: string, limit: number, afterId = ''): Promise<MetadataRecord<Spec>[]> {
    const rows = await this.wh.query<StoredRow>(sql('metadata/list'), { table: this.table, workspace: workspaceId, after: afterId, limit });
    return rows.map((r) => toRecord<Spec>(r));
  }

  /** Saves a new version (version 1 when the id is new) and returns it. */
  async save(workspaceId: string, input: { id?: string; name: string; spec: Spec; changedBy: string }): Promise<MetadataRecord<Spec>> {
    const id = input.id ?? crypto.randomUUID();
    const previous = input.id ? await this.latestRow(workspaceId, id) : undefined;
    const row: StoredRow = {
      id,
      version: (previous ? Number(previous.version) : 0) + 1,
      name: input.name,
      spec: JSON.stringify(input.spec),
      deleted: 0,
      changed_at: formatTs(Date.now()),
      changed_by: input.changedBy,
    };
    await this.wh.insert(this.table, [{ workspace_id: workspaceId, ...row }]);
    return toRecord<Spec>(row);
  }

  /** Marks the object deleted with a tombstone version; earlier versions stay stored. */
  async remove(workspaceId: string, id: string, changedBy: string): Promise<boolean> {
    const previous = await this.latestRow(workspaceId, id);
    if (!previous || Number(previous.deleted)) return false;
    await this.wh.insert(this.table, [
      { ...previous, workspace_id: workspaceId, version: Number(previous.version) + 1, deleted: 1, changed_at: formatTs(Date.now()), changed_by: changedBy },
    ]);
    return true;
  }
}
