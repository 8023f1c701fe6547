/**
 * Per-workspace Parquet snapshots for analysts' SQL. Each table is written from the warehouse by a workspace-bound,
 * parameterized statement streamed as `FORMAT Parquet` (so it works against a ClickHouse server too) into a new
 * generation directory; the generation is renamed into place complete and only then named by the manifest, so a query
 * never sees half a snapshot. Events are written per month and a month whose digest did not change is hard-linked from
 * the previous generation instead of being written again.
 *
 * One writer per workspace and variant in this process (KeyedMutex); superseded generations are removed once no query
 * of this process reads them. The embedded engine allows one process per data directory, so that is every reader.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { now } from '../common/clock.ts';
import type { SandboxConfig } from '../config/config.ts';
import { KeyedMutex } from '../warehouse/keyed-mutex.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import {
  hashSalt,
  publishManifest,
  readManifest,
  variantDir,
  type EventMonth,
  type SnapshotManifest,
  type SnapshotTable,
  type SnapshotVariant,
} from './snapshot-layout.ts';

/** The tables besides events, each the view name analysts query and the statement that writes it. */
const WHOLE_TABLES = [
  { name: 'contacts', statement: 'sandbox/contacts' },
  { name: 'tags', statement: 'sandbox/tags' },
  { name: 'suppressions', statement: 'sandbox/suppressions' },
  { name: 'audience_members', statement: 'sandbox/audience-members' },
  { name: 'rfm_scores', statement: 'sandbox/rfm-scores' },
  { name: 'cluster_assignments', statement: 'sandbox/cluster-assignments' },
] as const;

/** Writing a snapshot is batch work (a month of a busy workspace is millions of rows): bounded like an import's merge. */
const WRITE_TIMEOUT_SECONDS = 1800;

/** A generation a query reads: release it when the query is done. */
export interface SnapshotLease {
  dir: string;
  manifest: SnapshotManifest;
  release(): void;
}

export class SnapshotStore {
  private readonly locks = new KeyedMutex();
  /** Queries reading each generation directory now. */
  private readonly readers = new Map<string, number>();
  /** Snapshots being refreshed in the background. */
  private readonly refreshing = new Set<string>();

  constructor(
    private readonly wh: Warehouse,
    private readonly config: SandboxConfig,
  ) {}

  private dirOf(workspaceId: string, variant: SnapshotVariant): string {
    return variantDir(this.config.dir, this.wh.database, workspaceId, variant);
  }

  /** The published snapshot's manifest, without refreshing it. */
  current(workspaceId: string, variant: SnapshotVariant): SnapshotManifest | undefined {
    return readManifest(this.dirOf(workspaceId, variant));
  }

  /** Writes a new snapshot now (waiting for one already being written) and publishes it. */
  refresh(workspaceId: string, variant: SnapshotVariant): Promise<SnapshotManifest> {
    const dir = this.dirOf(workspaceId, variant);
    return this.locks.run(dir, () => this.write(workspaceId, variant, dir));
  }

  /**
   * The generation a query reads. With none yet, or one taken before the workspace's last erasure (an erased person
   * leaves SQL at once), the query waits for a new one; one merely older than the configured age is used as it is
   * while a new one is written in the background, so a busy workspace's query never waits minutes for its data.
   */
  async lease(workspaceId: string, variant: SnapshotVariant): Promise<SnapshotLease> {
    const dir = this.dirOf(workspaceId, variant);
    // Held in the same tick as it is read: removeSuperseded (synchronous, under the lock) cannot delete it in between.
    const published = readManifest(dir);
    const held = published && this.hold(dir, published);
    if (held) {
      const takenAt = Date.parse(held.manifest.taken_at);
      if (!(await this.erasedSince(workspaceId, takenAt))) {
        if (now() - takenAt > this.config.maxAgeSeconds * 1000) this.refreshInBackground(workspaceId, variant);
        return held;
      }
      held.release();
    }
    const needAfter = held ? Date.parse(held.manifest.taken_at) : Number.NEGATIVE_INFINITY;
    return this.locks.run(dir, async () => {
      // Under the lock: a query that waited for another's refresh uses that one.
      const current = readManifest(dir);
      const usable = current && Date.parse(current.taken_at) > needAfter;
      return this.hold(dir, usable ? current : await this.write(workspaceId, variant, dir));
    });
  }

  /** Counts a query as reading `manifest`'s generation until it releases it. */
  private hold(dir: string, manifest: SnapshotManifest): SnapshotLease {
    const generationDir = path.join(dir, manifest.generation);
    this.readers.set(generationDir, (this.readers.get(generationDir) ?? 0) + 1);
    let released = false;
    return {
      dir: generationDir,
      manifest,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.readers.get(generationDir) ?? 1) - 1;
        if (left > 0) this.readers.set(generationDir, left);
        else this.readers.delete(generationDir);
        // Housekeeping only: a failure here must not fail the query (nor go unhandled).
        void this.locks.run(dir, async () => this.removeSuperseded(dir)).catch(() => undefined);
      },
    };
  }

  /** One background refresh at a time per snapshot; a failure leaves the old one in use and the next query tries again. */
  private refreshInBackground(workspaceId: string, variant: SnapshotVariant): void {
    const dir = this.dirOf(workspaceId, variant);
    if (this.refreshing.has(dir)) return;
    this.refreshing.add(dir);
    void this.refresh(workspaceId, variant)
      .catch(() => undefined)
      .finally(() => this.refreshing.delete(dir));
  }

  /** True when the workspace erased someone at or after `takenAt`. */
  private async erasedSince(workspaceId: string, takenAt: number): Promise<boolean> {
    const [erasure] = await this.wh.query<{ ms: string }>(sql('sandbox/last-erasure'), { workspace: workspaceId });
    return Number(erasure?.ms ?? 0) >= takenAt;
  }

  private async write(workspaceId: string, variant: SnapshotVariant, dir: string): Promise<SnapshotManifest> {
    const started = now();
    const previous = readManifest(dir);
    const generation = `g-${started}-${crypto.randomBytes(4).toString('hex')}`;
    const staging = path.join(dir, `.staging-${generation}`);
    fs.mkdirSync(path.join(staging, 'events'), { recursive: true });
    const params = { workspace: workspaceId, masked: variant === 'masked' ? 1 : 0, salt: hashSalt(this.config.dir) };
    let tables: SnapshotTable[];
    let months: EventMonth[];
    try {
      months = (await this.wh.query<EventMonth>(sql('sandbox/event-months'), { workspace: workspaceId }, { timeoutSeconds: WRITE_TIMEOUT_SECONDS })).map(
        (m) => ({
          ...m,
          month: Number(m.month),
          rows: Number(m.rows),
        }),
      );
      const eventFiles = await this.writeEvents(months, previous, path.join(dir, previous?.generation ?? ''), staging, params);
      tables = [{ name: 'events', rows: months.reduce((n, m) => n + m.rows, 0), files: eventFiles }];
      for (const table of WHOLE_TABLES) {
        const file = `${table.name}.parquet`;
        await this.writeParquet(sql(table.statement), params, path.join(staging, file));
        tables.push({ name: table.name, rows: await parquetRows(path.join(staging, file)), files: [file] });
      }
      fs.renameSync(staging, path.join(dir, generation));
    } catch (err) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw err;
    }
    const manifest: SnapshotManifest = {
      generation,
      variant,
      taken_at: new Date(started).toISOString(),
      seconds: (now() - started) / 1000,
      tables,
      event_months: months,
    };
    publishManifest(dir, manifest);
    try {
      this.removeSuperseded(dir);
    } catch {
      // Published already: an old generation left behind goes at the next refresh.
    }
    return manifest;
  }

  /** Each month's file: linked from the previous generation when its digest is unchanged, else written. */
  private async writeEvents(
    months: EventMonth[],
    previous: SnapshotManifest | undefined,
    previousDir: string,
    staging: string,
    params: Record<string, unknown>,
  ): Promise<string[]> {
    const files: string[] = [];
    for (const month of months) {
      const file = `events/${month.month}.parquet`;
      const before = previous?.event_months.find((m) => m.month === month.month);
      const reusable = before?.digest === month.digest && before.rows === month.rows;
      if (reusable && fs.existsSync(path.join(previousDir, file))) fs.linkSync(path.join(previousDir, file), path.join(staging, file));
      else await this.writeParquet(sql('sandbox/events'), { ...params, month: month.month }, path.join(staging, file));
      files.push(file);
    }
    if (files.length === 0) {
      // No events yet: an empty file still gives the view its columns.
      await this.writeParquet(sql('sandbox/events'), { ...params, month: 0 }, path.join(staging, 'events/none.parquet'));
      files.push('events/none.parquet');
    }
    return files;
  }

  private async writeParquet(statement: string, params: Record<string, unknown>, file: string): Promise<void> {
    const stream = await this.wh.stream(statement, params, 'Parquet', { timeoutSeconds: WRITE_TIMEOUT_SECONDS });
    await pipeline(stream, fs.createWriteStream(file, { flags: 'wx' }));
  }

  /** Generations other than the published one that no query of this process reads, and abandoned staging directories. */
  private removeSuperseded(dir: string): void {
    const current = readManifest(dir)?.generation;
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      const full = path.join(dir, entry);
      const stale = (entry.startsWith('g-') && entry !== current && !this.readers.has(full)) || entry.startsWith('.staging-');
      if (stale) fs.rmSync(full, { recursive: true, force: true });
    }
  }
}

/** Rows of one Parquet file, from its footer. */
async function parquetRows(file: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll('SELECT count(*)::DOUBLE AS n FROM read_parquet($file)', { file });
      return Number(reader.getRows()[0]![0]);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
