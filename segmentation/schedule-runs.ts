/**
 * The record of scheduled runs (`schedule_runs`): one run per (job kind, job id, cron slot), written when it
 * starts, at each heartbeat, and when it ends; the newest row of a slot is the run's state.
 */
import { sql } from '../warehouse/sql-files.ts';
import { formatTs, isoFromTs, nextVersion } from '../warehouse/time.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

export interface JobKey {
  kind: string;
  workspaceId: string;
  id: string;
}

/** One state of a run, as written. */
export interface RunRow {
  slotMs: number;
  startedMs: number;
  heartbeatMs: number;
  finishedMs?: number;
  status: RunStatus;
  size?: number;
  audienceVersion?: number;
  error?: string;
}

/** A run as the API answers it. */
export interface ScheduleRun {
  slot: string;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  size: number | null;
  audience_version: number | null;
  error: string | null;
}

/** Writes a state of a run; the newest written state of a slot wins. */
export async function writeRun(wh: Warehouse, job: JobKey, row: RunRow): Promise<void> {
  await wh.insert('schedule_runs', [
    {
      workspace_id: job.workspaceId,
      job_kind: job.kind,
      job_id: job.id,
      slot: formatTs(row.slotMs),
      started_at: formatTs(row.startedMs),
      heartbeat_at: formatTs(row.heartbeatMs),
      finished_at: row.finishedMs === undefined ? null : formatTs(row.finishedMs),
      status: row.status,
      size: row.size ?? null,
      audience_version: row.audienceVersion ?? null,
      error: row.error ?? '',
      version: nextVersion(),
    },
  ]);
}

const jobParams = (job: JobKey, extra: Record<string, unknown>) => workspaceParams(job.workspaceId, { kind: job.kind, id: job.id, ...extra });

/** The state of the job's latest slots (newest first): which slot ran last, and whether a run is in progress. */
export async function recentRuns(wh: Warehouse, job: JobKey, limit = 20): Promise<Pick<RunRow, 'slotMs' | 'status' | 'startedMs' | 'heartbeatMs'>[]> {
  const rows = await wh.query<{ slot_ms: string; status: RunStatus; started_ms: string; heartbeat_ms: string }>(
    sql('schedules/recent-runs'),
    jobParams(job, { limit }),
  );
  return rows.map((r) => ({ slotMs: Number(r.slot_ms), status: r.status, startedMs: Number(r.started_ms), heartbeatMs: Number(r.heartbeat_ms) }));
}

/** A page of the job's runs, newest slot first, before the slot `beforeMs` (0: from the newest). */
export async function listRuns(wh: Warehouse, job: JobKey, limit: number, beforeMs: number): Promise<(ScheduleRun & { slotMs: number })[]> {
  const rows = await wh.query<{
    slot_ms: string;
    started_at: string;
    finished_at: string | null;
    status: RunStatus;
    size: string | number | null;
    audience_version: number | null;
    error: string;
  }>(sql('schedules/runs-page'), jobParams(job, { limit, before: beforeMs }));
  return rows.map((r) => ({
    slotMs: Number(r.slot_ms),
    slot: new Date(Number(r.slot_ms)).toISOString(),
    started_at: isoFromTs(r.started_at),
    finished_at: r.finished_at === null ? null : isoFromTs(r.finished_at),
    status: r.status,
    size: r.size === null ? null : Number(r.size),
    audience_version: r.audience_version === null ? null : Number(r.audience_version),
    error: r.error === '' ? null : r.error,
  }));
}
