/**
 * Data steps that a migration file cannot express as idempotent DDL: moving rows to a new layout,
 * backfilling tables that views fill only from the next insert on. A step runs before and/or after its
 * file's statements, and each is written to be run again after a crash at any point: it works out
 * where it stands from the tables themselves.
 */
import { backfillContactRollups, backfillMetricsRollup, backfillSlimMetricsRollup } from './rollup-backfill.ts';
import { localTable, runDdl } from './cluster-ddl.ts';
import { mergeMetadataTables } from './metadata-merge.ts';
import { sql } from './sql-files.ts';
import type { Warehouse } from './warehouse.ts';

export interface MigrationStep {
  before?(wh: Warehouse): Promise<void>;
  after?(wh: Warehouse): Promise<void>;
}

/** Data moves are long statements: no time limit. */
const NO_LIMIT = { timeoutSeconds: 0 };

async function sortingKey(wh: Warehouse, table: string): Promise<string | undefined> {
  const [row] = await wh.query<{ sorting_key: string }>(sql('migrations/table-sorting-key'), { table });
  return row?.sorting_key;
}

/** The sorting key of the events table before 0011. */
const LEGACY_EVENTS_KEY = 'workspace_id, event_id';

/**
 * 0011: events move from (workspace_id, event_id), deduplicated on read, to a layout by month, day and
 * type, deduplicated on write. Before the file: the old table becomes events_legacy (and the view that
 * read it is dropped: a view keeps reading the renamed table's old name and would miss every insert).
 * After it: the old rows are copied, once each, into the new table, and events_legacy is dropped.
 */
const eventsLayout: MigrationStep = {
  async before(wh) {
    if ((await sortingKey(wh, localTable(wh, 'events'))) !== LEGACY_EVENTS_KEY) return;
    await runDdl(wh, 'migrations/drop-view', { name: 'events_to_suppressions' });
    await runDdl(wh, 'migrations/rename-table', { from: localTable(wh, 'events'), to: localTable(wh, 'events_legacy') });
    if (wh.config.cluster) {
      // The Distributed front of the old table goes; one over the renamed local tables reads them for the copy.
      await runDdl(wh, 'migrations/drop-table', { name: 'events' });
      await runDdl(wh, 'migrations/distributed-over', { name: 'events_legacy', local: 'events_legacy_local', cluster: wh.config.cluster });
    }
  },
  async after(wh) {
    if ((await sortingKey(wh, localTable(wh, 'events_legacy'))) === undefined) return;
    // A copy cut short by a crash starts again from empty tables.
    await runDdl(wh, 'migrations/truncate-table', { name: localTable(wh, 'events') });
    await wh.command(sql('migrations/copy-legacy-events'), {}, NO_LIMIT);
    await runDdl(wh, 'migrations/drop-table', { name: 'events_legacy' });
    if (wh.config.cluster) await runDdl(wh, 'migrations/drop-table', { name: 'events_legacy_local' });
  },
};

/** 0015: contact_import_merged (0004) was replaced by contact_import_pending (0010) and is read by nothing. */
const dropUnusedImportTable: MigrationStep = {
  async after(wh) {
    await runDdl(wh, 'migrations/drop-table', { name: 'contact_import_merged' });
    if (wh.config.cluster) await runDdl(wh, 'migrations/drop-table', { name: 'contact_import_merged_local' });
  },
};

/** Steps by migration version. */
export const MIGRATION_STEPS: Readonly<Record<string, MigrationStep>> = {
  '0011': eventsLayout,
  // The rollups' views count only events inserted after them: fill them with the events already stored.
  '0012': { after: backfillContactRollups },
  '0013': { after: backfillMetricsRollup },
  '0014': { after: backfillSlimMetricsRollup },
  '0015': dropUnusedImportTable,
  // The seven metadata tables of one shape become one table with a kind column.
  '0016': { after: mergeMetadataTables },
};
