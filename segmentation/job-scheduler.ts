/**
 * Runs scheduled jobs inside the server process, generic over job kinds: a source lists its enabled jobs
 * (each with a cron expression, read on the workspace's clock) and runs one for a slot. Each pass starts every
 * due job that is not running. Runs of one job never overlap: in this process a job in flight is skipped;
 * across processes on one warehouse each (job, slot) is claimed once (version claims) before it runs, a job
 * whose run is in progress elsewhere (a `running` row with a fresh heartbeat) is left alone, and a run that
 * finds, once recorded, another run of its job in progress yields (`skipped`).
 */
import { workspaceSettings } from '../access/workspaces.ts';
import { now } from '../common/clock.ts';
import { dueSlot } from '../common/cron-schedule.ts';
import { isAppError } from '../common/errors.ts';
import { claimVersion, isVersionConflict } from '../warehouse/version-claims.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { recentRuns, writeRun, type JobKey, type RunStatus } from './schedule-runs.ts';

/** An enabled job: `since` is when its schedule took effect (epoch ms); slots before it never run. */
export interface ScheduledJob {
  workspaceId: string;
  id: string;
  cron: string;
  since: number;
}

/** What a run made; `skipped` (a reason) when it found nothing to do (the schedule was removed meanwhile). */
export interface RunResult {
  size?: number;
  version?: number;
  skipped?: string;
}

/** A kind of scheduled job (a segment's refresh, a computed tag's): the scheduler's one seam. */
export interface ScheduleSource {
  kind: string;
  /** Every enabled job of this kind, across workspaces. */
  list(wh: Warehouse): Promise<ScheduledJob[]>;
  run(wh: Warehouse, workspaceId: string, id: string, slotMs: number): Promise<RunResult>;
}

export interface FinishedRun {
  kind: string;
  workspaceId: string;
  id: string;
  slotMs: number;
  status: Exclude<RunStatus, 'running'>;
  size?: number;
  version?: number;
  error?: string;
}

export interface JobSchedulerOptions {
  /** A pass every this many ms; 0: no timer (passes only when `tick` is called). */
  everyMs: number;
  onError?: (err: unknown) => void;
  /** Called after every run that ended (succeeded, failed or skipped), e.g. to notify webhooks. */
  onRunFinished?: (run: FinishedRun) => void | Promise<void>;
  /** Runs at once, at most (default 2: each is a full materialization). */
  maxConcurrentRuns?: number;
  /** A running run rewrites its row this often... */
  heartbeatMs?: number;
  /** ...and one whose heartbeat is older than this is taken as abandoned (its process died). */
  staleAfterMs?: number;
}

export interface JobScheduler {
  /** One pass now (joined if one is in progress); resolves when the runs it started have ended. */
  tick(): Promise<FinishedRun[]>;
  /** No more passes; resolves once the runs in flight have ended (the warehouse may then close). */
  stop(): Promise<void>;
}

const HEARTBEAT_MS = 20_000;
const STALE_AFTER_MS = 120_000;

export function startJobScheduler(wh: Warehouse, sources: readonly ScheduleSource[], opts: JobSchedulerOptions): JobScheduler {
  const onError = opts.onError ?? (() => {});
  const maxRuns = opts.maxConcurrentRuns ?? 2;
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  const staleAfterMs = opts.staleAfterMs ?? STALE_AFTER_MS;
  const inFlight = new Map<string, Promise<FinishedRun | undefined>>();
  let passing: Promise<Promise<FinishedRun | undefined>[]> | undefined;
  let stopped = false;

  const isLive = (heartbeat: number) => now() - heartbeat < staleAfterMs;

  /** The slot the job should run now, or undefined (not due, or a run of it is in progress elsewhere). */
  async function slotToRun(job: JobKey, scheduled: ScheduledJob): Promise<number | undefined> {
    const recent = await recentRuns(wh, job);
    const running = recent.filter((r) => r.status === 'running');
    if (running.some((r) => isLive(r.heartbeatMs))) return undefined;
    for (const r of running) {
      // Its process died mid-run: the slot counts as run, and failed.
      const error = `interrupted: no heartbeat since ${new Date(r.heartbeatMs).toISOString()}`;
      await writeRun(wh, job, { slotMs: r.slotMs, startedMs: r.startedMs, heartbeatMs: r.heartbeatMs, finishedMs: now(), status: 'failed', error });
    }
    const { timezone } = await workspaceSettings(wh, job.workspaceId);
    return dueSlot(scheduled.cron, timezone, Math.max(scheduled.since, recent[0]?.slotMs ?? -Infinity), now());
  }

  async function runJob(source: ScheduleSource, job: JobKey, slotMs: number): Promise<FinishedRun | undefined> {
    try {
      // Claimed once across processes: whoever lost the claim leaves the slot to its winner.
      await claimVersion(wh, { type: `schedule:${job.kind}`, workspace: job.workspaceId, id: job.id }, Math.floor(slotMs / 60_000));
    } catch (err) {
      if (!isVersionConflict(err)) onError(err);
      return undefined;
    }
    const startedMs = now();
    const state = { slotMs, startedMs };
    await writeRun(wh, job, { ...state, heartbeatMs: startedMs, status: 'running' });
    const finished: FinishedRun = { kind: job.kind, workspaceId: job.workspaceId, id: job.id, slotMs, status: 'succeeded' };
    // Recorded first, checked second: of two processes starting runs of one job (different slots) at once,
    // the later to record sees the other, so they never both go on.
    const others = (await recentRuns(wh, job)).filter((r) => r.slotMs !== slotMs && r.status === 'running' && isLive(r.heartbeatMs));
    if (others.length) {
      Object.assign(finished, { status: 'skipped', error: 'another run of this job was in progress' });
    } else {
      const heartbeat = setInterval(() => void writeRun(wh, job, { ...state, heartbeatMs: now(), status: 'running' }).catch(onError), heartbeatMs);
      heartbeat.unref();
      try {
        const result = await source.run(wh, job.workspaceId, job.id, slotMs);
        Object.assign(finished, result.skipped ? { status: 'skipped', error: result.skipped } : { size: result.size, version: result.version });
      } catch (err) {
        // The record is read through the API: the platform's own refusals are told as they are, anything else
        // (an engine error, which may quote SQL) goes to the log.
        if (!isAppError(err)) onError(err);
        Object.assign(finished, { status: 'failed', error: isAppError(err) ? err.message : 'internal error (see the server log)' });
      } finally {
        clearInterval(heartbeat);
      }
    }
    const at = now();
    await writeRun(wh, job, {
      ...state,
      heartbeatMs: at,
      finishedMs: at,
      status: finished.status,
      size: finished.size,
      audienceVersion: finished.version,
      error: finished.error,
    });
    try {
      await opts.onRunFinished?.(finished);
    } catch (err) {
      onError(err);
    }
    return finished;
  }

  /** Lists every source's jobs and starts the due ones (at most `maxRuns` at once); answers the runs started. */
  async function launchDue(): Promise<Promise<FinishedRun | undefined>[]> {
    const started: Promise<FinishedRun | undefined>[] = [];
    for (const source of sources) {
      let jobs: ScheduledJob[];
      try {
        jobs = await source.list(wh);
      } catch (err) {
        onError(err);
        continue;
      }
      for (const scheduled of jobs) {
        if (stopped) return started;
        const job = { kind: source.kind, workspaceId: scheduled.workspaceId, id: scheduled.id };
        const key = JSON.stringify([job.kind, job.workspaceId, job.id]);
        if (inFlight.has(key)) continue;
        try {
          const slot = await slotToRun(job, scheduled);
          if (slot === undefined || inFlight.has(key)) continue;
          while (inFlight.size >= maxRuns) await Promise.race(inFlight.values());
          const run = runJob(source, job, slot)
            .catch((err: unknown) => void onError(err))
            .finally(() => inFlight.delete(key));
          inFlight.set(key, run);
          started.push(run);
        } catch (err) {
          onError(err);
        }
      }
    }
    return started;
  }

  const tick = async (): Promise<FinishedRun[]> => {
    if (stopped) return [];
    passing ??= launchDue().finally(() => (passing = undefined));
    const runs = await Promise.all(await passing);
    return runs.filter((r): r is FinishedRun => r !== undefined);
  };
  const timer = opts.everyMs > 0 ? setInterval(() => void tick().catch(onError), opts.everyMs) : undefined;
  timer?.unref();
  return {
    tick,
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await passing?.catch(() => {});
      await Promise.all(inFlight.values());
    },
  };
}
