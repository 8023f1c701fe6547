/**
 * Realtime segments: the flag, the seed, and the change stream's pages. The worker that keeps membership current is
 * realtime-worker.ts; which rules qualify is realtime-shape.ts. Every change to one segment's realtime state (the
 * flag, a seed, a tick of the worker) runs under the segment's lock, so seeds and ticks never interleave.
 */
import { errors } from '../common/errors.ts';
import { now } from '../common/clock.ts';
import { workspaceSettings } from '../access/workspaces.ts';
import { processLocks } from '../warehouse/keyed-mutex.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql, sqlWithGenerated } from '../warehouse/sql-files.ts';
import { formatTs, isoFromTs, nextVersion } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { realtimeShape } from './realtime-shape.ts';
import { compiledRule, getSegment, type Segment } from './segments.ts';

/** How far back of the newest watermark a tick looks again: covers inserts that became visible late and clock skew. */
export const REALTIME_OVERLAP_MS = 5000;

export interface RealtimeState {
  enabled: boolean;
  segment_version: number;
  /** Engine clock (events.ingested_at). */
  event_mark: string;
  /** Platform version clock, µs (tags.version; contacts.updated_at × 1000). */
  write_mark: number;
  swept_at: string;
}

interface StateRow {
  enabled: number;
  segment_version: number;
  event_mark: string;
  write_mark: string;
  swept_at: string;
}

/** Runs `task` alone among this process's changes to the segment's realtime state. */
export function withRealtimeLock<T>(wh: Warehouse, workspaceId: string, segmentId: string, task: () => Promise<T>): Promise<T> {
  return processLocks.run(JSON.stringify(['realtime', wh.config.url ?? 'embedded', wh.database, workspaceId, segmentId]), task);
}

export async function readRealtimeState(wh: Warehouse, workspaceId: string, segmentId: string): Promise<RealtimeState | undefined> {
  const [row] = await wh.query<StateRow>(sql('realtime/state'), workspaceParams(workspaceId, { segment: segmentId }));
  return row && { ...row, enabled: row.enabled === 1, write_mark: Number(row.write_mark) };
}

export async function saveRealtimeState(wh: Warehouse, workspaceId: string, segmentId: string, state: RealtimeState, changedBy: string): Promise<void> {
  await wh.insert('realtime_segments', [
    { workspace_id: workspaceId, segment_id: segmentId, ...state, enabled: state.enabled ? 1 : 0, changed_by: changedBy, version: nextVersion() },
  ]);
}

/** The engine's clock now, as DateTime64 text. */
export async function engineNow(wh: Warehouse): Promise<string> {
  const [row] = await wh.query<{ now: string }>(sql('realtime/engine-now'));
  return row!.now;
}

/** `ts` moved back by the overlap (DateTime64 text). */
export const lessOverlap = (ts: string) => formatTs(Date.parse(`${ts.replace(' ', 'T')}Z`) - REALTIME_OVERLAP_MS);

/**
 * Seeds the membership with one full evaluation of the segment's rule, and returns the state to save: watermarks
 * from before the evaluation (less the overlap), so whatever arrives meanwhile is looked at again.
 */
export async function seedMembership(wh: Warehouse, workspaceId: string, segment: Segment): Promise<RealtimeState> {
  const eventMark = lessOverlap(await engineNow(wh));
  const nowMs = now();
  const { timezone } = await workspaceSettings(wh, workspaceId);
  const { expression, params } = compiledRule(segment.spec.rule, workspaceId, nowMs, timezone);
  await wh.command(sqlWithGenerated('realtime/seed', { rule: expression }), { ...params, segment: segment.id, version: nextVersion() });
  return {
    enabled: true,
    segment_version: segment.version,
    event_mark: eventMark,
    write_mark: (nowMs - REALTIME_OVERLAP_MS) * 1000,
    swept_at: formatTs(nowMs),
  };
}

export interface RealtimeStatus {
  enabled: boolean;
  qualifies: boolean;
  reason?: string;
  /** The path of the leaf that does not qualify (`rule.all[1].rfm`). */
  field?: string;
  /** ISO 8601: events stored before this instant have been looked at (null while off). */
  watermark: string | null;
}

function statusOf(segment: Segment, state: RealtimeState | undefined): RealtimeStatus {
  const shape = realtimeShape(segment.spec.rule);
  const enabled = !!state?.enabled;
  return {
    enabled,
    qualifies: shape.qualifies,
    ...(!shape.qualifies && { reason: shape.reason, field: shape.path }),
    watermark: enabled ? isoFromTs(state!.event_mark) : null,
  };
}

/** The segment's realtime flag; undefined when the segment is missing (or another workspace's). */
export async function realtimeStatus(wh: Warehouse, workspaceId: string, segmentId: string): Promise<RealtimeStatus | undefined> {
  const segment = await getSegment(wh, workspaceId, segmentId);
  if (!segment) return undefined;
  return statusOf(segment, await readRealtimeState(wh, workspaceId, segmentId));
}

/**
 * Turns the flag on (seeding the membership when it was off) or off. A rule that does not qualify is a 400 naming
 * the leaf (`rule.all[1].rfm`). Undefined when the segment is missing.
 */
export async function setRealtime(
  wh: Warehouse,
  workspaceId: string,
  segmentId: string,
  enabled: boolean,
  changedBy: string,
): Promise<RealtimeStatus | undefined> {
  return withRealtimeLock(wh, workspaceId, segmentId, async () => {
    const segment = await getSegment(wh, workspaceId, segmentId);
    if (!segment) return undefined;
    const current = await readRealtimeState(wh, workspaceId, segmentId);
    let state = current;
    if (enabled) {
      const shape = realtimeShape(segment.spec.rule);
      if (!shape.qualifies) throw errors.invalid(shape.path, shape.reason);
      // Already on for this version of the rule: nothing to do (PUT is idempotent).
      if (!current?.enabled || current.segment_version !== segment.version) {
        state = await seedMembership(wh, workspaceId, segment);
        await saveRealtimeState(wh, workspaceId, segmentId, state, changedBy);
      }
    } else if (current?.enabled) {
      state = { ...current, enabled: false };
      await saveRealtimeState(wh, workspaceId, segmentId, state, changedBy);
    }
    return statusOf(segment, state);
  });
}

export interface RealtimeChange {
  seq: number;
  user_id: string;
  phone: string;
  change: 'entered' | 'left';
  /** ISO 8601: the newest ingested_at of the contact's events that caused the change (else when it was detected). */
  cause_ingested_at: string;
  recorded_at: string;
}

/** One page of a segment's changes after `since` (a seq), oldest first; undefined when the segment is missing. */
export async function changesPage(
  wh: Warehouse,
  workspaceId: string,
  segmentId: string,
  since: number,
  limit: number,
): Promise<{ changes: RealtimeChange[]; next: number } | undefined> {
  // A deleted segment's changes stay readable only while it exists: a missing one answers like another workspace's.
  if (!(await getSegment(wh, workspaceId, segmentId))) return undefined;
  const rows = await wh.query<Omit<RealtimeChange, 'seq'> & { seq: string }>(
    sql('realtime/changes-page'),
    workspaceParams(workspaceId, { segment: segmentId, since, limit }),
  );
  const changes = rows.map((r) => ({ ...r, seq: Number(r.seq), cause_ingested_at: isoFromTs(r.cause_ingested_at), recorded_at: isoFromTs(r.recorded_at) }));
  return { changes, next: changes.length ? changes[changes.length - 1]!.seq : since };
}
