/**
 * Keeps realtime segments' membership current inside the server process. Each pass, per flagged segment:
 * the contacts TOUCHED since its watermarks (events stored since, of the rule's types and inside its longest
 * window; tag rows of the rule's tags; contact profiles written since) are evaluated against the rule restricted
 * to them (rollups and raw edge days of those contacts only), compared with the stored membership, and each flip is
 * appended to the change stream. Rolling windows also expire without new events, so at most every `sweepMs` (and
 * whenever the UTC day has changed) the current members are re-evaluated and those that no longer match leave.
 *
 * Watermarks lag the clock by REALTIME_OVERLAP_MS, so an insert that became visible late is still seen; looking at a
 * contact again is harmless (it flips only when its answer differs from the stored one). Writes go change rows first,
 * then membership, then the watermarks: a crash in between repeats a change (at least once), never loses one.
 */
import { workspaceSettings } from '../access/workspaces.ts';
import { now } from '../common/clock.ts';
import { startPeriodicPass, type PeriodicPass } from '../common/periodic-pass.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql, sqlWithGenerated } from '../warehouse/sql-files.ts';
import { formatTs, isoFromTs, nextVersion, parseTs } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import {
  engineNow,
  lessOverlap,
  readRealtimeState,
  REALTIME_OVERLAP_MS,
  saveRealtimeState,
  seedMembership,
  withRealtimeLock,
  type RealtimeState,
} from './realtime-segments.ts';
import { realtimeShape } from './realtime-shape.ts';
import { compiledRule, getSegment } from './segments.ts';
import type { Rule } from './rule-types.ts';

const DAY_MS = 86_400_000;
/** Contacts evaluated per statement (each is an Array parameter). */
const CHUNK = 5000;
const WORKER = 'realtime-worker';

/** A flip as the worker hands it to `onChanges` (the lead wires segment webhooks to it). */
export interface RealtimeFlip {
  seq: number;
  user_id: string;
  change: 'entered' | 'left';
  cause_ingested_at: string;
}

export interface RealtimeOptions {
  /** At most this often the members are re-evaluated for windows moving on. */
  sweepMs: number;
  /** Called after a segment's changes are stored, in seq order. */
  onChanges?: (workspaceId: string, segmentId: string, changes: RealtimeFlip[]) => void | Promise<void>;
}

/**
 * Per segment (and rule version): the keys of the events each contact was last evaluated with, for the contacts
 * touched inside the overlap. A contact whose events were all evaluated already is skipped: the overlap then costs a
 * read, not an evaluation. Lost on restart (everything in the overlap is evaluated again: harmless).
 */
const evaluatedEvents = new Map<string, Map<string, Set<string>>>();

function evaluatedOf(wh: Warehouse, workspaceId: string, segmentId: string, version: number): Map<string, Set<string>> {
  const key = JSON.stringify([wh.config.url ?? 'embedded', wh.database, workspaceId, segmentId, version]);
  let seen = evaluatedEvents.get(key);
  if (!seen) evaluatedEvents.set(key, (seen = new Map()));
  return seen;
}

interface Touched {
  /** unit → what caused the look (an ingested_at, or the detection time). */
  causes: Map<string, string>;
  /** The event keys the touched contacts are evaluated with: remembered once their flips are stored. */
  evaluating: Map<string, Set<string>>;
}

/** The contacts something was written about since the watermarks. */
async function touchedUnits(
  wh: Warehouse,
  workspaceId: string,
  shape: { eventTypes: string[]; maxDays: number; tags: string[] },
  state: RealtimeState,
  seen: Map<string, Set<string>>,
  nowMs: number,
  detectedAt: string,
): Promise<Touched> {
  const causes = new Map<string, string>();
  const evaluating = new Map<string, Set<string>>();
  if (shape.eventTypes.length) {
    // A day before the window's first day: a zone's calendar days start up to 14 h off UTC's.
    const fromDay = formatTs(nowMs - (shape.maxDays + 1) * DAY_MS).slice(0, 10);
    const params = workspaceParams(workspaceId, { types: shape.eventTypes, from_day: fromDay, mark: state.event_mark });
    const rows = await wh.query<{ unit: string; cause: string; keys: string[] }>(sql('realtime/touched-events'), params);
    const inOverlap = new Set(rows.map((r) => r.unit));
    for (const unit of seen.keys()) if (!inOverlap.has(unit)) seen.delete(unit);
    for (const row of rows) {
      const before = seen.get(row.unit);
      if (before && row.keys.every((k) => before.has(k))) continue;
      causes.set(row.unit, row.cause);
      evaluating.set(row.unit, new Set(row.keys));
    }
  }
  const others = [
    ...(shape.tags.length
      ? [wh.query<{ unit: string }>(sql('realtime/touched-tags'), workspaceParams(workspaceId, { tags: shape.tags, mark: state.write_mark }))]
      : []),
    wh.query<{ unit: string }>(sql('realtime/touched-contacts'), workspaceParams(workspaceId, { mark: formatTs(Math.floor(state.write_mark / 1000)) })),
  ];
  for (const rows of await Promise.all(others)) for (const { unit } of rows) if (!causes.has(unit)) causes.set(unit, detectedAt);
  return { causes, evaluating };
}

type Pending = { unit: string; change: 'entered' | 'left'; cause: string };

/** Flips among the touched contacts: the rule (restricted to them) against the stored membership. */
async function flipsOf(
  wh: Warehouse,
  workspaceId: string,
  segmentId: string,
  rule: Rule,
  units: string[],
  causes: Map<string, string>,
  nowMs: number,
  tz: string,
) {
  const flips: Pending[] = [];
  const { expression, params } = compiledRule(rule, workspaceId, nowMs, tz, undefined, '{units:Array(String)}');
  const matching = sqlWithGenerated('realtime/matching', { units: '{units:Array(String)}', rule: expression });
  for (let i = 0; i < units.length; i += CHUNK) {
    const chunk = units.slice(i, i + CHUNK);
    const [matched, stored] = await Promise.all([
      wh.query<{ unit: string }>(matching, { ...params, units: chunk }),
      wh.query<{ unit: string; member: number }>(sql('realtime/members-of'), workspaceParams(workspaceId, { segment: segmentId, units: chunk })),
    ]);
    const is = new Set(matched.map((r) => r.unit));
    const was = new Set(stored.filter((r) => r.member === 1).map((r) => r.unit));
    for (const unit of chunk) {
      if (is.has(unit) !== was.has(unit)) flips.push({ unit, change: is.has(unit) ? 'entered' : 'left', cause: causes.get(unit)! });
    }
  }
  return flips;
}

/** Current members the rule no longer matches (evaluated over the members only). */
async function sweepLeavers(wh: Warehouse, workspaceId: string, segmentId: string, rule: Rule, nowMs: number, tz: string): Promise<string[]> {
  const members = `(${sql('realtime/current-members')})`;
  const { expression, params } = compiledRule(rule, workspaceId, nowMs, tz, undefined, members);
  const rows = await wh.query<{ unit: string }>(sqlWithGenerated('realtime/sweep-leavers', { units: members, rule: expression }), {
    ...params,
    segment: segmentId,
  });
  return rows.map((r) => r.unit);
}

/** Stores the flips (change rows, then membership) and answers them numbered. */
async function recordFlips(wh: Warehouse, workspaceId: string, segmentId: string, flips: Pending[], changedAt: string): Promise<RealtimeFlip[]> {
  if (!flips.length) return [];
  const [last] = await wh.query<{ seq: string }>(sql('realtime/last-seq'), workspaceParams(workspaceId, { segment: segmentId }));
  const first = Number(last?.seq ?? 0) + 1;
  const numbered = flips.map((f, i) => ({ seq: first + i, user_id: f.unit, change: f.change, cause_ingested_at: f.cause }));
  const base = { workspace_id: workspaceId, segment_id: segmentId };
  await wh.insert(
    'realtime_changes',
    numbered.map((f) => ({ ...base, seq: f.seq, unit: f.user_id, change: f.change, cause_ingested_at: f.cause_ingested_at })),
  );
  await wh.insert(
    'realtime_members',
    flips.map((f) => ({ ...base, unit: f.unit, member: f.change === 'entered' ? 1 : 0, changed_at: changedAt, version: nextVersion() })),
  );
  return numbered.map((f) => ({ ...f, cause_ingested_at: isoFromTs(f.cause_ingested_at) }));
}

const later = (a: string, b: string) => (parseTs(a) >= parseTs(b) ? a : b);
const utcDay = (ms: number) => Math.floor(ms / DAY_MS);

/** One pass over one flagged segment; answers the changes it stored. */
export async function refreshRealtimeSegment(wh: Warehouse, workspaceId: string, segmentId: string, opts: RealtimeOptions): Promise<RealtimeFlip[]> {
  return withRealtimeLock(wh, workspaceId, segmentId, async () => {
    const state = await readRealtimeState(wh, workspaceId, segmentId);
    if (!state?.enabled) return [];
    const segment = await getSegment(wh, workspaceId, segmentId);
    if (!segment) {
      await saveRealtimeState(wh, workspaceId, segmentId, { ...state, enabled: false }, WORKER);
      return [];
    }
    const shape = realtimeShape(segment.spec.rule);
    if (segment.version !== state.segment_version) {
      // The rule was edited: a rule that still qualifies is seeded again (silently, like the first enable); one that no
      // longer does turns the flag off (GET .../realtime says why).
      const next = shape.qualifies ? await seedMembership(wh, workspaceId, segment) : { ...state, enabled: false };
      await saveRealtimeState(wh, workspaceId, segmentId, next, WORKER);
      return [];
    }
    if (!shape.qualifies) return [];
    const detectedAt = await engineNow(wh);
    const nowMs = now();
    const { timezone } = await workspaceSettings(wh, workspaceId);
    const seen = evaluatedOf(wh, workspaceId, segmentId, segment.version);
    const { causes, evaluating } = await touchedUnits(wh, workspaceId, shape, state, seen, nowMs, detectedAt);
    const flips = await flipsOf(wh, workspaceId, segmentId, segment.spec.rule, [...causes.keys()], causes, nowMs, timezone);
    let sweptAt = state.swept_at;
    const lastSweep = parseTs(state.swept_at);
    if (nowMs - lastSweep >= opts.sweepMs || utcDay(nowMs) !== utcDay(lastSweep)) {
      // Contacts evaluated above at this same instant are already decided.
      for (const unit of await sweepLeavers(wh, workspaceId, segmentId, segment.spec.rule, nowMs, timezone)) {
        if (!causes.has(unit)) flips.push({ unit, change: 'left', cause: detectedAt });
      }
      sweptAt = formatTs(nowMs);
    }
    const stored = await recordFlips(wh, workspaceId, segmentId, flips, detectedAt);
    for (const [unit, keys] of evaluating) seen.set(unit, keys);
    const next: RealtimeState = {
      ...state,
      event_mark: later(state.event_mark, lessOverlap(detectedAt)),
      write_mark: Math.max(state.write_mark, (nowMs - REALTIME_OVERLAP_MS) * 1000),
      swept_at: sweptAt,
    };
    await saveRealtimeState(wh, workspaceId, segmentId, next, WORKER);
    if (stored.length) await opts.onChanges?.(workspaceId, segmentId, stored);
    return stored;
  });
}

/** One pass over every flagged segment of every workspace; a failing segment is reported and the others go on. */
export async function refreshRealtimeSegments(wh: Warehouse, opts: RealtimeOptions, onError: (err: unknown) => void, stopped = () => false): Promise<number> {
  const rows = await wh.query<{ workspace_id: string; segment_id: string }>(sql('realtime/enabled'));
  let changes = 0;
  for (const row of rows) {
    if (stopped()) break;
    try {
      changes += (await refreshRealtimeSegment(wh, row.workspace_id, row.segment_id, opts)).length;
    } catch (err) {
      onError(err);
    }
  }
  return changes;
}

/** Starts the worker: a pass every `everyMs`, never two at once. */
export function startRealtimeWorker(wh: Warehouse, opts: RealtimeOptions & { everyMs: number; onError: (err: unknown) => void }): PeriodicPass {
  return startPeriodicPass(opts.everyMs, (stopped) => refreshRealtimeSegments(wh, opts, opts.onError, stopped), opts.onError);
}
