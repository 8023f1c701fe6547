/**
 * Funnels. Unit "user" (a user_id, else a phone) counts units that did step 1 in [from, to), then each
 * next step at or after the previous one, all within window_hours of step 1 (ClickHouse windowFunnel,
 * which takes the longest chain over every step-1 event). Unit "message" follows one message_id.
 * A delivery step counts only successful receipts; a send step only accepted sends. Steps may carry
 * `where` filters; `filters` apply to every step; a breakdown computes the funnel within each value
 * of an event column, in the same pass as the overall funnel. median_seconds_from_previous: over units
 * that reached the step, the time from their first previous-step event to their first step event at or
 * after it; when more units reached step 2 than a sample holds, over a deterministic sample of them.
 */
import type { Warehouse } from '../warehouse/warehouse.ts';
import { SAMPLE_MODULUS, funnelCountsStatement, funnelMediansStatement, type FunnelRequest, type FunnelStep, type SampleCuts } from './funnel-sql.ts';

// The request's shape lives with its SQL (funnel-sql.ts), which this module runs.
export type { FunnelRequest };

export interface FunnelStepResult {
  type: string;
  count: number;
  conversion_from_previous: number | null;
  conversion_from_first: number | null;
  median_seconds_from_previous: number | null;
}

/** Units sampled for the overall medians and, at least, for each group's (when that many converted). */
export const MEDIAN_SAMPLE_UNITS = 50_000;
export const MEDIAN_SAMPLE_UNITS_PER_GROUP = 5_000;

/** The hash cut that keeps about `wanted` of `units` units (every unit when there are no more). */
function sampleCut(units: number, wanted: number): number {
  return units <= wanted ? SAMPLE_MODULUS : Math.ceil((wanted / units) * SAMPLE_MODULUS);
}

function toSteps(steps: FunnelStep[], counts: number[], medians: (number | null)[]): FunnelStepResult[] {
  return steps.map((s, i) => ({
    type: s.type,
    count: counts[i]!,
    conversion_from_previous: i === 0 ? null : counts[i - 1] ? counts[i]! / counts[i - 1]! : 0,
    conversion_from_first: i === 0 ? null : counts[0] ? counts[i]! / counts[0]! : 0,
    median_seconds_from_previous: i === 0 ? null : (medians[i] ?? null),
  }));
}

interface SetRow {
  overall: number;
  grp: string;
}

const setKey = (r: SetRow) => (Number(r.overall) === 1 ? 'overall' : `group:${r.grp}`);

/** How many units the medians' sample aims at (tests make it small to exercise the sampled path). */
export interface MedianSampling {
  units: number;
  unitsPerGroup: number;
}

const DEFAULT_SAMPLING: MedianSampling = { units: MEDIAN_SAMPLE_UNITS, unitsPerGroup: MEDIAN_SAMPLE_UNITS_PER_GROUP };

/** Counts (one pass, breakdown included), then medians over a bounded sample of converted units. */
export async function runFunnel(
  wh: Warehouse,
  workspaceId: string,
  req: FunnelRequest,
  sampling: MedianSampling = DEFAULT_SAMPLING,
): Promise<{ steps: FunnelStepResult[]; breakdowns?: { value: string; steps: FunnelStepResult[] }[] }> {
  const n = req.steps.length;
  const counted = funnelCountsStatement(workspaceId, req);
  const countRows = (await wh.query<SetRow & { counts: string[] }>(counted.statement, counted.params)).map((r) => ({ ...r, counts: r.counts.map(Number) }));
  const overallCounts = countRows.find((r) => Number(r.overall) === 1)?.counts ?? new Array<number>(n).fill(0);
  const groupRows = countRows.filter((r) => Number(r.overall) !== 1);

  // Medians: a second, sampled pass, only when some unit reached step 2.
  const medians = new Map<string, (number | null)[]>();
  if (overallCounts[1]! > 0) {
    const overall = sampleCut(overallCounts[1]!, sampling.units);
    // A group shares the overall sample's rate, or a higher one when that leaves it fewer than its own minimum.
    const cuts: SampleCuts = { overall, groups: new Map(groupRows.map((g) => [g.grp, Math.max(overall, sampleCut(g.counts[1]!, sampling.unitsPerGroup))])) };
    const timed = funnelMediansStatement(workspaceId, req, cuts);
    for (const r of await wh.query<SetRow & { medians: (number | null)[] }>(timed.statement, timed.params)) medians.set(setKey(r), r.medians);
  }
  const none = new Array<null>(n).fill(null);
  const steps = toSteps(req.steps, overallCounts, medians.get('overall') ?? none);
  if (!req.breakdown) return { steps };
  return { steps, breakdowns: groupRows.map((g) => ({ value: g.grp, steps: toSteps(req.steps, g.counts, medians.get(setKey(g)) ?? none) })) };
}
