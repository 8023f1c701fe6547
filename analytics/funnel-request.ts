/** The funnel request's choices and the checks a schema cannot express (the window's bound, exclusion steps). */
import { errors } from '../common/errors.ts';
import type { WhereClause } from '../warehouse/event-filter-sql.ts';
import { validateWhere } from './event-filters.ts';
import type { FunnelExclusion, FunnelOrder } from './funnel-sql.ts';

export const FUNNEL_ORDERS = ['ordered', 'strict', 'unordered'] as const;
export const ATTRIBUTIONS = ['first_touch', 'step'] as const;
export const WINDOW_UNITS = ['minute', 'hour', 'day'] as const;
type WindowUnit = (typeof WINDOW_UNITS)[number];

const UNIT_MS: Record<WindowUnit, number> = { minute: 60_000, hour: 3600_000, day: 86_400_000 };
/** The longest conversion window (as `window_hours` always allowed): 90 days. */
const MAX_WINDOW_MS = 90 * UNIT_MS.day;

/** `window: {value, unit}`, or the older `window_hours`; exactly one of them. */
export function funnelWindow(
  window: { value: number; unit: WindowUnit } | undefined,
  hours: number | undefined,
): { value: number; unit: WindowUnit; ms: number } {
  if (window && hours !== undefined) throw errors.invalid('window', 'give either window or window_hours, not both');
  const chosen = window ?? (hours !== undefined ? { value: hours, unit: 'hour' as const } : undefined);
  if (!chosen) throw errors.invalid('window', 'required: {value, unit: minute|hour|day} (or window_hours)');
  const ms = chosen.value * UNIT_MS[chosen.unit];
  if (ms > MAX_WINDOW_MS) throw errors.invalid(window ? 'window.value' : 'window_hours', 'the window is at most 90 days');
  return { ...chosen, ms };
}

interface ExclusionBody {
  type: string;
  where?: unknown[];
  from_step: number;
  to_step: number;
}

/** Exclusions name steps 1..n with from_step < to_step; an unordered funnel only excludes over the whole funnel (as PostHog). */
export function validateExclusions(exclusions: ExclusionBody[], steps: number, order: FunnelOrder): FunnelExclusion[] {
  return exclusions.map((x, i) => {
    const path = `exclusions[${i}]`;
    if (x.to_step > steps) throw errors.invalid(`${path}.to_step`, `must be a step of the funnel (1 to ${steps})`);
    if (x.from_step >= x.to_step) throw errors.invalid(`${path}.from_step`, 'must be before to_step');
    if (order === 'unordered' && (x.from_step !== 1 || x.to_step !== steps))
      throw errors.invalid(`${path}.from_step`, `an unordered funnel excludes over the whole funnel: from_step 1, to_step ${steps}`);
    const where: WhereClause[] = validateWhere(x.where, `exclusions[${i}].where`);
    return { type: x.type, ...(where.length && { where }), fromStep: x.from_step, toStep: x.to_step };
  });
}
