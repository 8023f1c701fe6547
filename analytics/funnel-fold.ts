/**
 * Per-unit funnel evaluation in SQL over the unit's events as a sorted array of (ts_ms, step_mask, exclusion_mask)
 * tuples: the semantics windowFunnel cannot express (each step a distinct event, exclusions, strict and
 * unordered order, the timings of the counted chain). The ordered/strict fold follows PostHog's funnel UDF
 * (funnel-udf/src/steps.rs): per step k the start time of the chain that reached it; an event advances every
 * chain by at most one step (all steps read the state before the event), a step-k event extends the chain of
 * step k-1 when within the window of that chain's start (inclusive), and keeps the earliest event for the same
 * start. Only SQL text is built here; the window and range bounds are bound parameters named by the caller.
 */

/** Exclusion bits: bit s-1 set means "an exclusion event marks the chain standing at step s". */
export function exclusionBits(fromStep: number, toStep: number): number {
  let bits = 0;
  for (let s = fromStep; s < toStep; s++) bits |= 1 << (s - 1);
  return bits;
}

/** The unit's events: `[(ts_ms, step_mask, exclusion_mask)]`, by time, a tie in step order (step events first). */
export function eventArraySql(stepMask: string, exclusionMask: string): string {
  const tuple = `(toInt64(toUnixTimestamp64Milli(ts)), ${stepMask}, ${exclusionMask})`;
  return `arraySort(x -> (x.1, x.2 = 0, bitAnd(x.2, bitNot(x.2) + 1)), groupArray(${tuple}))`;
}

const STATE = 'Tuple(Array(Int64), Array(UInt8), Array(Array(Int64)), UInt8, Int64, UInt8, Array(Int64))';

/**
 * The fold's result for ordered or strict order: a tuple whose 4th element is the furthest step, 6th whether that
 * chain was excluded, 7th the event times of that chain. `ev` names the sorted event array. `strict`: any event
 * that is not a step of a chain breaks it (PostHog's strict: the array then holds every event of the unit).
 * Events without a step at the same instant as a step event are dropped first (PostHog ignores exclusions and
 * strict breaks at a tie with a step event).
 */
export function orderedFoldSql(n: number, ev: string, windowMs: string, strict: boolean): string {
  const W = windowMs;
  const prev = (k: number) => (k === 1 ? 'e.1' : `a.1[${k - 1}]`);
  const inWindow = (k: number) => (k === 1 ? '1' : `(a.1[${k - 1}] != 0 AND e.1 - a.1[${k - 1}] <= ${W})`);
  const reached = (k: number) => `(a.1[${k}] != 0 AND a.1[${k}] = ${prev(k)})`;
  const hit = (k: number) => `bitTest(e.2, ${k - 1})`;
  const moves = (k: number) => `(${hit(k)} AND ${inWindow(k)} AND NOT ${reached(k)})`;
  const stores = (k: number) => (k === 1 ? moves(1) : `(${moves(k)} AND a.2[${k - 1}] = 0)`);
  const prevTimes = (k: number) => (k === 1 ? 'emptyArrayInt64()' : `a.3[${k - 1}]`);
  // An exclusion marks the chain at step s when it is inside that chain's window and the chain has not moved on.
  const marks = (s: number) =>
    `(bitTest(e.3, ${s - 1}) AND a.1[${s}] != 0 AND e.1 - a.1[${s}] <= ${W} AND NOT (a.1[${s + 1}] != 0 AND a.1[${s + 1}] = a.1[${s}]))`;
  const ks = Array.from({ length: n }, (_, i) => i + 1);
  const kept = (k: number, value: string, cleared: string) => (strict ? `if(${hit(k)}, ${value}, ${cleared})` : value);
  const starts = ks.map((k) => `if(${stores(k)}, ${prev(k)}, ${kept(k, `a.1[${k}]`, 'toInt64(0)')})`);
  const excluded = ks.map((k) => {
    const marked = k < n ? `if(${marks(k)}, toUInt8(1), a.2[${k}])` : `a.2[${k}]`;
    return `if(${stores(k)}, toUInt8(0), ${kept(k, marked, 'toUInt8(0)')})`;
  });
  const times = ks.map((k) => `if(${stores(k)}, arrayPushBack(${prevTimes(k)}, e.1), ${kept(k, `a.3[${k}]`, 'emptyArrayInt64()')})`);
  // The furthest chain: the highest step this event moves (excluded or not) replaces it when further, or as far
  // and the kept one was excluded (PostHog's max_step); `mk` is that step, 0 when none.
  const candidate = `multiIf(${ks
    .reverse()
    .map((k) => `${moves(k)} AND (${k} > a.4 OR (${k} = a.4 AND a.6 = 1)), ${k}`)
    .join(', ')}, 0)`;
  ks.reverse();
  const pick = (values: string[], fallback: string) => `if(mk = 0, ${fallback}, [${values.join(', ')}][mk])`;
  const maxExcluded = ks.slice(0, n - 1).map((s) => `(${marks(s)} AND a.2[${s}] = 0 AND a.4 = ${s} AND e.1 - a.5 <= ${W})`);
  const next = [
    `[${starts.join(', ')}]`,
    `[${excluded.join(', ')}]`,
    `[${times.join(', ')}]`,
    'if(mk = 0, a.4, mk)',
    pick(ks.map(prev), 'a.5'),
    `if(mk = 0, toUInt8(a.6 OR ${maxExcluded.length ? maxExcluded.join(' OR ') : '0'}), [${ks.map((k) => (k === 1 ? 'toUInt8(0)' : `a.2[${k - 1}]`)).join(', ')}][mk])`,
    pick(
      ks.map((k) => `arrayPushBack(${prevTimes(k)}, e.1)`),
      'a.7',
    ),
  ];
  const step = `arrayMap(mk -> CAST(tuple(${next.join(',\n ')}), '${STATE}'), [toUInt8(${candidate})])[1]`;
  const init = `CAST(tuple(arrayWithConstant(${n}, toInt64(0)), arrayWithConstant(${n}, toUInt8(0)), arrayWithConstant(${n}, emptyArrayInt64()), 0, 0, 0, emptyArrayInt64()), '${STATE}')`;
  // Drop events without a step that share their instant with a step event (the fill carries the last step time).
  const lastStepTs = `arrayFill(t -> t != -1, arrayMap(x -> if(x.2 != 0, x.1, -1), ${ev}))`;
  const kept2 = `arrayFilter((x, t) -> x.2 != 0 OR t != x.1, ${ev}, ${lastStepTs})`;
  return `arrayFold((a, e) -> ${step}, ${kept2}, ${init})`;
}

/** A group of identical step conditions in an unordered funnel: its steps' bits and how many steps it holds. */
export interface StepGroup {
  bits: number;
  size: number;
}

/**
 * Unordered: for every step event starting before `to` (an anchor), the steps done by distinct events within the
 * window from it (each group of identical steps counts at most as many events as it holds steps); the unit's level
 * is the best anchor's, and the unit is dropped when every best anchor has an exclusion event between it and the
 * last step event of its window. Returns a tuple (level, excluded); there are no step timings.
 */
export function unorderedLevelSql(groups: StepGroup[], ev: string, windowMs: string, toMs: string): string {
  const perGroup = groups.map((g) => `least(${g.size}, arrayCount(y -> bitAnd(y.2, ${g.bits}) != 0, w))`).join(' + ');
  const stepsIn = 'arrayCount(y -> y.2 != 0, w)';
  const lastStep = 'arrayMax(arrayMap(y -> if(y.2 != 0, y.1, 0), w))';
  const anchor = `arrayMap(w -> (toUInt8(least(${stepsIn}, ${perGroup})), toUInt8(arrayExists(y -> y.3 != 0 AND y.1 <= ${lastStep}, w))), [arrayFilter(y -> y.1 >= x.1 AND y.1 <= x.1 + ${windowMs}, ${ev})])[1]`;
  const anchors = `arrayMap(x -> if(x.2 = 0 OR x.1 >= ${toMs}, (toUInt8(0), toUInt8(0)), ${anchor}), ${ev})`;
  return `arrayMap(p -> arrayMap(best -> (best, toUInt8(best > 0 AND NOT arrayExists(q -> q.1 = best AND q.2 = 0, p))), [arrayMax(q -> q.1, p)])[1], [${anchors}])[1]`;
}
