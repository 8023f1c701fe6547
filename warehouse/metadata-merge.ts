/**
 * Data step of migration 0016: the seven metadata tables of one shape become one `metadata` table with a
 * `kind` column. Safe to run again after a crash at any point: each old table still present is copied
 * (rows already copied are skipped), checked, and only then dropped.
 */
import { localTable, runDdl } from './cluster-ddl.ts';
import { sql } from './sql-files.ts';
import type { Warehouse } from './warehouse.ts';

/** The tables 0003, 0007 and 0008 created; each one's name becomes its rows' kind. */
export const LEGACY_METADATA_TABLES = ['workspaces', 'segments', 'audiences', 'experiments', 'alert_rules', 'cluster_models', 'alerts'] as const;

const NO_LIMIT = { timeoutSeconds: 0 };

async function tableExists(wh: Warehouse, name: string): Promise<boolean> {
  return (await wh.query(sql('migrations/table-engine'), { table: localTable(wh, name) })).length > 0;
}

/** Copies every old metadata table into `metadata` and drops it once nothing of it is missing there. */
export async function mergeMetadataTables(wh: Warehouse): Promise<void> {
  for (const table of LEGACY_METADATA_TABLES) {
    if (!(await tableExists(wh, table))) continue;
    const params = { table, kind: table };
    await wh.command(sql('migrations/copy-metadata-table'), params, NO_LIMIT);
    if (table === 'alert_rules') await wh.command(sql('migrations/alert-settings-from-marker'), { table }, NO_LIMIT);
    const [check] = await wh.query<{ missing: string }>(sql('migrations/metadata-rows-missing'), params, NO_LIMIT);
    if (Number(check?.missing ?? 0) !== 0) throw new Error(`migration 0016: ${check!.missing} rows of ${table} were not copied to metadata; ${table} is kept`);
    await runDdl(wh, 'migrations/drop-table', { name: table });
    if (wh.config.cluster) await runDdl(wh, 'migrations/drop-table', { name: localTable(wh, table) });
  }
}
