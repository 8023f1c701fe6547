/**
 * Refresh schedules of segments: a cron expression on the workspace's clock and the eligibility options of
 * the snapshots it makes, stored versioned (kind `segment_schedules`, keyed by the segment's id). Each run
 * materializes a new audience version and then deletes the snapshots older than the newest `keep_versions`.
 */
import { workspaceSettings } from '../access/workspaces.ts';
import { now } from '../common/clock.ts';
import { checkCron, nextSlot } from '../common/cron-schedule.ts';
import { errors } from '../common/errors.ts';
import { MetadataStore, type MetadataRecord } from '../warehouse/metadata-store.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { WebhookConfig } from '../config/config.ts';
import { notifyAudienceVersion } from './audience-notices.ts';
import { audienceVersions, deleteAudienceVersion, materializeAudience, type Audience, type Eligibility } from './audiences.ts';
import type { ScheduledJob, ScheduleSource } from './job-scheduler.ts';
import { listRuns, type ScheduleRun } from './schedule-runs.ts';
import { getSegment } from './segments.ts';

export const SEGMENT_REFRESH = 'segment_refresh';
export const DEFAULT_KEEP_VERSIONS = 7;
const MAX_KEEP_VERSIONS = 100;
/** Who the scheduler's writes (snapshots, deletions) are recorded as. */
const SCHEDULER = 'scheduler';

export interface SegmentScheduleSpec {
  cron: string;
  eligibility: Eligibility;
  keep_versions: number;
  enabled: boolean;
  /** When this version of the schedule took effect: slots before it never run. */
  since: string;
}

export type SegmentSchedule = MetadataRecord<SegmentScheduleSpec>;

const store = (wh: Warehouse) => new MetadataStore<SegmentScheduleSpec>(wh, 'segment_schedules');

export interface ScheduleInput {
  cron: string;
  eligibility?: Eligibility;
  keep_versions?: number;
  enabled?: boolean;
}

/** Sets (or replaces) the segment's schedule; it takes effect now. A missing segment is a 404. */
export async function saveSegmentSchedule(
  wh: Warehouse,
  workspaceId: string,
  segmentId: string,
  input: ScheduleInput,
  opts: { minIntervalMinutes: number; changedBy: string },
): Promise<SegmentSchedule> {
  const segment = await getSegment(wh, workspaceId, segmentId);
  if (!segment) throw errors.notFound(`segment ${segmentId}`);
  checkCron(input.cron, opts.minIntervalMinutes);
  const keep = input.keep_versions ?? DEFAULT_KEEP_VERSIONS;
  if (!Number.isInteger(keep) || keep < 1 || keep > MAX_KEEP_VERSIONS)
    throw errors.invalid('keep_versions', `must be an integer from 1 to ${MAX_KEEP_VERSIONS}`);
  const spec: SegmentScheduleSpec = {
    cron: input.cron,
    eligibility: input.eligibility ?? {},
    keep_versions: keep,
    enabled: input.enabled ?? true,
    since: new Date(now()).toISOString(),
  };
  return store(wh).save(workspaceId, { id: segmentId, name: segment.name, spec, changedBy: opts.changedBy });
}

/** The segment's schedule, or undefined when it has none (removed, or another workspace's). */
export const getSegmentSchedule = (wh: Warehouse, workspaceId: string, segmentId: string) => store(wh).get(workspaceId, segmentId);

/** Stops the segment's refreshes (a tombstone version); false when it had no schedule. */
export const removeSegmentSchedule = (wh: Warehouse, workspaceId: string, segmentId: string, changedBy: string) =>
  store(wh).remove(workspaceId, segmentId, changedBy);

/** A schedule as the API answers it: with the workspace's zone and its next slot (null when disabled). */
export async function describeSchedule(wh: Warehouse, workspaceId: string, schedule: SegmentSchedule) {
  const { timezone } = await workspaceSettings(wh, workspaceId);
  const { spec } = schedule;
  const next = spec.enabled ? nextSlot(spec.cron, timezone, Math.max(Date.parse(spec.since), now())) : undefined;
  return {
    segment_id: schedule.id,
    ...spec,
    timezone,
    next_run_at: next === undefined ? null : new Date(next).toISOString(),
    version: schedule.version,
    changed_at: schedule.changed_at,
    changed_by: schedule.changed_by,
  };
}

/** A page of the segment's refresh runs, newest slot first, before `beforeMs` (0: from the newest). */
export function segmentRuns(
  wh: Warehouse,
  workspaceId: string,
  segmentId: string,
  limit: number,
  beforeMs: number,
): Promise<(ScheduleRun & { slotMs: number })[]> {
  return listRuns(wh, { kind: SEGMENT_REFRESH, workspaceId, id: segmentId }, limit, beforeMs);
}

/** Deletes the audience's snapshots older than its newest `keep`. */
async function pruneSnapshots(wh: Warehouse, workspaceId: string, audience: Audience, keep: number): Promise<void> {
  const versions = await audienceVersions(wh, workspaceId, audience.id);
  const old = versions
    .map((v) => v.version)
    .sort((a, b) => a - b)
    .slice(0, Math.max(0, versions.length - keep));
  for (const version of old) await deleteAudienceVersion(wh, workspaceId, audience, version, SCHEDULER);
}

/** Every enabled schedule of one workspace, a page of the metadata list at a time. */
async function enabledSchedules(wh: Warehouse, workspaceId: string): Promise<ScheduledJob[]> {
  const jobs: ScheduledJob[] = [];
  for (let after = '', page: SegmentSchedule[]; ; after = page.at(-1)!.id) {
    page = await store(wh).list(workspaceId, 1000, after);
    for (const s of page) if (s.spec.enabled) jobs.push({ workspaceId, id: s.id, cron: s.spec.cron, since: Date.parse(s.spec.since) });
    if (page.length < 1000) return jobs;
  }
}

/**
 * The scheduler's source of segment refreshes. Each new version is posted to the segment's webhooks before the
 * old snapshots are pruned, so the notice still counts against the previous version (even with keep_versions 1);
 * a run ends once its notices are delivered or given up.
 */
export function segmentRefreshSource(notices: { webhooks: WebhookConfig; onError: (err: unknown) => void }): ScheduleSource {
  return {
    kind: SEGMENT_REFRESH,
    async list(wh) {
      const workspaces = await wh.query<{ workspace_id: string }>(sql('metadata/workspaces-of-kind'), { kind: 'segment_schedules' });
      const jobs: ScheduledJob[] = [];
      for (const { workspace_id: ws } of workspaces) jobs.push(...(await enabledSchedules(wh, ws)));
      return jobs;
    },
    async run(wh, workspaceId, segmentId) {
      const schedule = await getSegmentSchedule(wh, workspaceId, segmentId);
      if (!schedule?.spec.enabled) return { skipped: 'the schedule was removed or disabled' };
      const segment = await getSegment(wh, workspaceId, segmentId);
      if (!segment) throw errors.notFound(`segment ${segmentId}`);
      const { timezone } = await workspaceSettings(wh, workspaceId);
      const audience = await materializeAudience(wh, workspaceId, segment, schedule.spec.eligibility, { nowMs: now(), timezone, changedBy: SCHEDULER });
      await notifyAudienceVersion(wh, workspaceId, audience, notices.webhooks, notices.onError);
      await pruneSnapshots(wh, workspaceId, audience, schedule.spec.keep_versions);
      return { size: audience.spec.size, version: audience.spec.version };
    },
  };
}
