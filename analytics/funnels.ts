/**
 * Funnels with PostHog's semantics. Unit "user" (a user_id, else a phone) or "message" (a message_id). A unit
 * enters at a step-1 event in [from, to); each later step must be a distinct event, at or after the previous
 * step's event and within the window of the chain's step-1 event (inclusive); the unit counts at the furthest step
 * of its best chain. Order "strict": no other event of the unit in between; "unordered": the steps in any order
 * within the window. An exclusion event after step `from_step` and before step `to_step` of the counted chain drops
 * the unit from the whole funnel (unless a later, clean chain goes as far). A delivery step counts only successful
 * receipts; a send step only accepted sends. Events at the same instant are taken in step order. See funnel-fold.ts.
 * Times (ordered and strict): per step, the average and median seconds from the previous step in the counted chain,
 * and a histogram of the seconds from step 1 to the last step, over every unit that reached step 2 or, when more
 * did than a sample holds, over a deterministic sample of them (`times_sampled`).
 */
import type { Warehouse } from '../warehouse/warehouse.ts';
import { SAMPLE_MODULUS, funnelCountsStatement, funnelTimesStatement, type FunnelRequest, type FunnelStep, type SampleCuts } from './funnel-sql.ts';

// The request's shape lives with its SQL (funnel-sql.ts), which this module runs.
export type { FunnelRequest };

export interface FunnelStepResult {
  type: string;
  count: number;
  conversion_from_previous: number | null;
  conversion_from_first: number | null;
  median_seconds_from_previous: number | null;
  average_seconds_from_previous: number | null;
}

/** One bin of the time from step 1 to the last step: [from_seconds, to_seconds), the last bin closed. */
export interface TimeBin {
  from_seconds: number;
  to_seconds: number;
  count: number;
}

export interface FunnelSet {
  steps: FunnelStepResult[];
  time_to_convert: TimeBin[];
}

/** Units sampled for the overall times and, at least, for each group's (when that many converted). */
export const MEDIAN_SAMPLE_UNITS = 50_000;
export const MEDIAN_SAMPLE_UNITS_PER_GROUP = 5_000;

/** The hash cut that keeps about `wanted` of `units` units (every unit when there are no more). */
function sampleCut(units: number, wanted: number): number {
  return units <= wanted ? SAMPLE_MODULUS : Math.ceil((wanted / units) * SAMPLE_MODULUS);
}

interface SetTimes {
  averages: (number | null)[];
  medians: (number | null)[];
  histogram: [number, number, number | string][];
}

function toSet(steps: FunnelStep[], counts: number[], times: SetTimes | undefined): FunnelSet {
  const time = (values: (number | null)[] | undefined, i: number) => (i === 0 || !counts[i] ? null : (values?.[i] ?? null));
  return {
    steps: steps.map((s, i) => ({
      type: s.type,
      count: counts[i]!,
      conversion_from_previous: i === 0 ? null : counts[i - 1] ? counts[i]! / counts[i - 1]! : 0,
      conversion_from_first: i === 0 ? null : counts[0] ? counts[i]! / counts[0]! : 0,
      median_seconds_from_previous: time(times?.medians, i),
      average_seconds_from_previous: time(times?.averages, i),
    })),
    time_to_convert: (times?.histogram ?? []).map(([from, to, count]) => ({ from_seconds: from, to_seconds: to, count: Number(count) })),
  };
}

interface SetRow {
  overall: number;
  grp: string;
}

const setKey = (r: SetRow) => (Number(r.overall) === 1 ? 'overall' : `group:${r.grp}`);

/** How many units the times' sample aims at (tests make it small to exercise the sampled path). */
export interface MedianSampling {
  units: number;
  unitsPerGroup: number;
}

const DEFAULT_SAMPLING: MedianSampling = { units: MEDIAN_SAMPLE_UNITS, unitsPerGroup: MEDIAN_SAMPLE_UNITS_PER_GROUP };

/** Counts (one pass, breakdown included), then times over a bounded sample of converted units. */
export async function runFunnel(
  wh: Warehouse,
  workspaceId: string,
  req: FunnelRequest,
  sampling: MedianSampling = DEFAULT_SAMPLING,
): Promise<FunnelSet & { times_sampled: boolean; breakdowns?: ({ value: string } & FunnelSet)[] }> {
  const n = req.steps.length;
  const counted = funnelCountsStatement(workspaceId, req);
  const countRows = (await wh.query<SetRow & { counts: string[] }>(counted.statement, counted.params)).map((r) => ({ ...r, counts: r.counts.map(Number) }));
  const overallCounts = countRows.find((r) => Number(r.overall) === 1)?.counts ?? new Array<number>(n).fill(0);
  const groupRows = countRows.filter((r) => Number(r.overall) !== 1);

  // Times: a second, sampled pass, only when some unit reached step 2 (unordered funnels have no step times).
  const times = new Map<string, SetTimes>();
  let sampled = false;
  if (overallCounts[1]! > 0 && req.order !== 'unordered') {
    const overall = sampleCut(overallCounts[1]!, sampling.units);
    // A group shares the overall sample's rate, or a higher one when that leaves it fewer than its own minimum.
    const cuts: SampleCuts = { overall, groups: new Map(groupRows.map((g) => [g.grp, Math.max(overall, sampleCut(g.counts[1]!, sampling.unitsPerGroup))])) };
    sampled = overall < SAMPLE_MODULUS || [...cuts.groups.values()].some((c) => c < SAMPLE_MODULUS);
    const timed = funnelTimesStatement(workspaceId, req, cuts);
    for (const r of await wh.query<SetRow & SetTimes>(timed.statement, timed.params)) times.set(setKey(r), r);
  }
  const result = { ...toSet(req.steps, overallCounts, times.get('overall')), times_sampled: sampled };
  if (!req.breakdown) return result;
  return { ...result, breakdowns: groupRows.map((g) => ({ value: g.grp, ...toSet(req.steps, g.counts, times.get(setKey(g))) })) };
}
