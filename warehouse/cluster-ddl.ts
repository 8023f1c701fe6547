/**
 * Names and DDL that differ on a cluster: rows live in Replicated `<name>_local` tables behind a Distributed
 * `<name>`, and DDL runs `ON CLUSTER`. Table and cluster names here are fixed identifiers, never user text.
 */
import { sqlWithGenerated } from './sql-files.ts';
import type { Warehouse } from './warehouse.ts';

/** The table that holds the rows: `<name>_local` on a cluster, `<name>` on one node. */
export function localTable(wh: Warehouse, name: string): string {
  return wh.config.cluster ? `${name}_local` : name;
}

export function onCluster(wh: Warehouse): string {
  return wh.config.cluster ? ` ON CLUSTER ${wh.config.cluster}` : '';
}

/** Runs the DDL statement `sql/queries/<name>.sql` with its `{{on_cluster}}` slot and the given identifier slots. */
export async function runDdl(wh: Warehouse, name: string, slots: Record<string, string>): Promise<void> {
  await wh.ddl(sqlWithGenerated(name, { on_cluster: onCluster(wh), ...slots }));
}
