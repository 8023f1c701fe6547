/**
 * Which rules a realtime segment may have. Membership is kept by re-evaluating only the contacts something was
 * written about (events, tags, contact profiles) plus a periodic sweep of current members for windows moving on,
 * so a rule qualifies when every way its answer can change is one of those:
 * - attribute leaves (not `within_days` / `is_today`, which change with the clock alone) and tag leaves, anywhere:
 *   they change only by a write to contacts or tags, which is detected;
 * - behaviour leaves with `within_days`, a rising count (`gte`/`gt` a value zero does not meet) and a `where` the
 *   per-contact daily rollups keep, and not under `not`: a new event can only add to the count (detected), and time
 *   can only take events out of the window, which can only make a member leave (the sweep re-evaluates members);
 *   an `eq`/`lt` count or a `not` around it would let contacts ENTER as time passes, with nothing written to detect.
 * RFM and cluster leaves come from batch runs, not from each event; lifecycle stages move with the clock alone.
 */
import { rollupFor } from './rollup-plan.ts';
import type { EventLeaf, Rule } from './rule-types.ts';

export type RealtimeShape =
  | {
      qualifies: true;
      /** Event types the rule counts, and the longest window: events outside them cannot change membership. */
      eventTypes: string[];
      maxDays: number;
      /** Tags the rule names (writes to other tags cannot change membership). */
      tags: string[];
    }
  | { qualifies: false; path: string; reason: string };

type Refusal = { path: string; reason: string };

function eventRefusal(leaf: EventLeaf, path: string, negated: boolean): Refusal | undefined {
  if (negated)
    return {
      path,
      reason: 'a behaviour leaf under "not" does not qualify for realtime: contacts would enter as events leave the window, with no write to detect',
    };
  if (leaf.within_days === undefined) return { path: `${path}.within_days`, reason: 'is required for realtime: counts are kept over a rolling window' };
  const count = leaf.count ?? { op: 'gte', value: 1 };
  const rising = (count.op === 'gte' && count.value >= 1) || (count.op === 'gt' && count.value >= 0);
  if (!rising) {
    return {
      path: `${path}.count`,
      reason:
        'must be gte (at least 1) or gt for realtime: a count that zero meets or that falls back into the rule would let contacts enter as time passes, with no write to detect',
    };
  }
  if (!rollupFor(leaf.where ?? [])) {
    return {
      path: `${path}.where`,
      reason: 'may only ask eq/in of status, campaign_id, template_id, channel or category for realtime (what the per-contact rollups keep)',
    };
  }
  return undefined;
}

/** Walks the rule, collecting what the detector must watch, or the first leaf that does not qualify. */
function walk(rule: Rule, path: string, negated: boolean, acc: { eventTypes: Set<string>; maxDays: number; tags: Set<string> }): Refusal | undefined {
  if ('all' in rule || 'any' in rule) {
    const [key, list] = 'all' in rule ? ['all', rule.all] : ['any', rule.any];
    for (const [i, child] of list.entries()) {
      const refusal = walk(child, `${path}.${key}[${i}]`, negated, acc);
      if (refusal) return refusal;
    }
    return undefined;
  }
  if ('not' in rule) return walk(rule.not, `${path}.not`, !negated, acc);
  if ('attr' in rule) {
    if (rule.op === 'within_days' || rule.op === 'is_today') {
      return { path: `${path}.op`, reason: `${rule.op} does not qualify for realtime: its answer changes with the clock alone, with no write to detect` };
    }
    return undefined;
  }
  if ('tag' in rule) {
    acc.tags.add(rule.tag);
    return undefined;
  }
  if ('event' in rule) {
    const refusal = eventRefusal(rule, path, negated);
    if (refusal) return refusal;
    acc.eventTypes.add(rule.event);
    acc.maxDays = Math.max(acc.maxDays, rule.within_days!);
    return undefined;
  }
  if ('rfm' in rule) return { path: `${path}.rfm`, reason: 'RFM scores come from batch runs (POST /v1/rfm/compute), not from each event: not realtime' };
  if ('cluster' in rule) return { path: `${path}.cluster`, reason: 'cluster assignments come from batch model fits, not from each event: not realtime' };
  return {
    path: `${path}.lifecycle`,
    reason: 'a lifecycle stage changes with the clock alone (a contact turns dormant after quiet days), with no write to detect: not realtime',
  };
}

/** Whether a (validated) rule can be kept in realtime, and what its membership depends on. */
export function realtimeShape(rule: Rule, path = 'rule'): RealtimeShape {
  const acc = { eventTypes: new Set<string>(), maxDays: 0, tags: new Set<string>() };
  const refusal = walk(rule, path, false, acc);
  if (refusal) return { qualifies: false, ...refusal };
  return { qualifies: true, eventTypes: [...acc.eventTypes].sort(), maxDays: acc.maxDays, tags: [...acc.tags].sort() };
}
