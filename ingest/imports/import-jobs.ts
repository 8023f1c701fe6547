/**
 * Contact imports as jobs, so that a crash leaves either nothing or everything. A job is `staging`
 * while its file is read and merged; `applying` once the merge is complete (from then on its writes to
 * suppressions, tags and contacts are idempotent: they carry the job's fixed applied_at); then `done`,
 * or `discarded` when the file was refused or the process died while staging. Unfinished jobs are
 * settled at start-up and before every import: `applying` ones are completed, stale `staging` ones
 * discarded.
 */
import { sql } from '../../warehouse/sql-files.ts';
import { formatTs, parseTs } from '../../warehouse/time.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { applyMerged, dropBatch, withContactMergeLock, type BatchKey, type SuppressionOrigin } from '../contact-merge.ts';

export type JobStatus = 'staging' | 'applying' | 'done' | 'discarded';

/** The furthest step wins in the ReplacingMergeTree, whatever order the rows were stored in. */
const STEP: Record<JobStatus, number> = { staging: 1, applying: 2, done: 3, discarded: 3 };

/** An import's job is its merge batch. */
export type JobKey = BatchKey;

interface JobRow {
  workspace_id: string;
  import_id: string;
  status: JobStatus;
  report: string;
  applied_at: string;
  started_at: string;
  changed_at: string;
}

/** Imports running in this process: never resumed or discarded from under their own run. */
const activeImports = new Set<string>();
const activeKey = (key: JobKey) => JSON.stringify([key.workspace, key.import_id]);

/** When this process started: a `staging` job older than it was left by a dead process (embedded engine). */
const PROCESS_STARTED_AT = Date.now() - process.uptime() * 1000;
/**
 * Against a ClickHouse server other processes may be running imports: their jobs count as abandoned
 * only when unchanged this long (staging rows expire after a day anyway).
 */
const SERVER_APPLYING_STALE_MS = 15 * 60_000;
const SERVER_STAGING_STALE_MS = 24 * 3600_000;

/**
 * Test-only: `SMSP_TEST_CRASH_AFTER=<step>` kills the process right after that step of an import, so the
 * crash tests can check what a restart does with the remains. Unset in every real deployment.
 */
export function crashPointForTests(step: string): void {
  if (process.env.SMSP_TEST_CRASH_AFTER === step) process.exit(137);
}

async function recordStatus(
  wh: Warehouse,
  key: JobKey,
  status: JobStatus,
  fields: { report?: string; appliedAtMs?: number; startedAtMs: number },
): Promise<void> {
  const now = Date.now();
  await wh.insert('contact_import_jobs', [
    {
      workspace_id: key.workspace,
      import_id: key.import_id,
      status,
      step: STEP[status],
      report: fields.report ?? '',
      applied_at: formatTs(fields.appliedAtMs ?? 0),
      started_at: formatTs(fields.startedAtMs),
      changed_at: formatTs(now),
    },
  ]);
}

/** Opens a job for a new import (status `staging`); `end` must be called when the import returns or throws. */
export async function startJob(wh: Warehouse, key: JobKey, startedAtMs: number): Promise<{ end: () => void }> {
  activeImports.add(activeKey(key));
  try {
    await recordStatus(wh, key, 'staging', { startedAtMs });
  } catch (err) {
    activeImports.delete(activeKey(key));
    throw err;
  }
  return { end: () => activeImports.delete(activeKey(key)) };
}

/** The point of no return: the merge is complete, and from here the import is completed even after a crash. */
export async function markApplying(wh: Warehouse, key: JobKey, report: object, appliedAtMs: number, startedAtMs: number): Promise<void> {
  await recordStatus(wh, key, 'applying', { report: JSON.stringify(report), appliedAtMs, startedAtMs });
}

/** Suppressions an import writes name it. */
export const importOrigin = (key: JobKey): SuppressionOrigin => ({ source: 'import', note: `import ${key.import_id}` });

/**
 * Marks the job done once everything is written. The staging rows go first: should the process die
 * in between, the job is still `applying` and its resumption finds nothing left to write.
 */
export async function finishJob(wh: Warehouse, key: JobKey, report: string, appliedAtMs: number, startedAtMs: number): Promise<void> {
  await dropBatch(wh, key);
  await recordStatus(wh, key, 'done', { report, appliedAtMs, startedAtMs });
}

/** Drops a job that never reached `applying`: nothing of it was written outside the staging tables. */
export async function discardJob(wh: Warehouse, key: JobKey, startedAtMs: number): Promise<void> {
  await dropBatch(wh, key);
  await recordStatus(wh, key, 'discarded', { startedAtMs });
}

export interface Settled {
  resumed: string[];
  discarded: string[];
}

/**
 * Completes the imports a crash interrupted while applying, and discards those it interrupted while
 * staging (see the module comment). Safe to run from several processes at once: applying is idempotent.
 */
export async function settleUnfinishedImports(wh: Warehouse, nowMs = Date.now()): Promise<Settled> {
  const jobs = await wh.query<JobRow>(sql('imports/unfinished-jobs'));
  const settled: Settled = { resumed: [], discarded: [] };
  const server = wh.kind === 'server';
  for (const job of jobs) {
    const key = { workspace: job.workspace_id, import_id: job.import_id };
    if (activeImports.has(activeKey(key))) continue;
    const startedAtMs = parseTs(job.started_at);
    const changedAtMs = parseTs(job.changed_at);
    if (job.status === 'applying') {
      if (server && nowMs - changedAtMs < SERVER_APPLYING_STALE_MS) continue;
      const appliedAtMs = parseTs(job.applied_at);
      await withContactMergeLock(wh, key.workspace, async () => {
        await applyMerged(wh, key, appliedAtMs, importOrigin(key));
        await finishJob(wh, key, job.report, appliedAtMs, startedAtMs);
      });
      settled.resumed.push(job.import_id);
    } else {
      const stale = server ? nowMs - changedAtMs >= SERVER_STAGING_STALE_MS : startedAtMs < PROCESS_STARTED_AT;
      if (!stale) continue;
      await discardJob(wh, key, startedAtMs);
      settled.discarded.push(job.import_id);
    }
  }
  return settled;
}
