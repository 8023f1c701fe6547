/**
 * A contact's lifecycle stage as of an instant T, in SQL: a pure function of its sign-up time and its
 * interactions (click, conversion, reply) strictly before T, so past weeks are computed the same way as now.
 *
 * With `quiet since` = the later of the last interaction and the sign-up (a contact that never interacted and has
 * no sign-up time has been quiet forever), the stage is the first that holds:
 *   new      signed up in [T - new_days, T)
 *   churned  quiet since before T - churned_days
 *   dormant  quiet since before T - dormant_days
 *   loyal    at least loyal_conversions conversions in [T - purchase_window_days, T)
 *   repeat   at least repeat_conversions conversions in that window
 *   active   everyone else (interacted, or signed up, within dormant_days)
 * Days are calendar days in the workspace's zone (the same wall-clock time N days earlier), as in rules.
 * A contact exists at T when it signed up before T or has no sign-up time.
 */
import { allOf, type Params } from '../warehouse/query-builder.ts';
import { INTERACTION_TYPES, type LifecycleSettings } from './lifecycle-settings.ts';

/** Where the stage's inputs are, as SQL expressions over the caller's row. */
export interface StageInputs {
  /** Nullable sign-up instant. */
  signup: string;
  /** Last interaction before `at` (the epoch, or NULL, when none). */
  lastTouch: string;
  /** Conversions in [at - purchase_window_days, at). */
  conversions: string;
  /** The instant the stage is computed at. */
  at: string;
}

/** `days` calendar days before the instant `at` in the zone, as a UTC instant. */
export const zoneDaysBefore = (at: string, days: string, tz: string) => `toTimeZone(toTimeZone(${at}, ${tz}) - toIntervalDay(${days}), 'UTC')`;

/** The stage of one row, every threshold bound as a parameter. */
export function stageSql(settings: LifecycleSettings, params: Params, tz: string, c: StageInputs): string {
  const before = (days: number) => zoneDaysBefore(c.at, params.add(days, 'UInt32'), tz);
  const quietSince = `greatest(ifNull(${c.lastTouch}, toDateTime64(0, 3, 'UTC')), ifNull(${c.signup}, toDateTime64(0, 3, 'UTC')))`;
  const atLeast = (n: number) => `${c.conversions} >= ${params.add(n, 'UInt64')}`;
  return (
    `multiIf(ifNull(${c.signup} >= ${before(settings.new_days)}, 0), 'new', ` +
    `${quietSince} < ${before(settings.churned_days)}, 'churned', ` +
    `${quietSince} < ${before(settings.dormant_days)}, 'dormant', ` +
    `${atLeast(settings.loyal_conversions)}, 'loyal', ` +
    `${atLeast(settings.repeat_conversions)}, 'repeat', 'active')`
  );
}

/** The longest look-back any threshold needs: older interactions cannot change a stage. */
export const lookBackDays = (s: LifecycleSettings) => Math.max(s.churned_days, s.purchase_window_days);

/** SQL of the interaction event types, as a bound list. */
export const interactionTypes = (params: Params) => params.add([...INTERACTION_TYPES], 'Array(String)');

/**
 * `(user_id, at, stage)` for every contact of the workspace that exists at each instant of `instants` (an SQL
 * expression of type Array(DateTime64(3, 'UTC'))): the stage function above over the contacts and their events.
 */
export function stagesAtSql(settings: LifecycleSettings, params: Params, tz: string, instants: string): string {
  const ws = params.workspaceFilter;
  const window = zoneDaysBefore('at', params.add(settings.purchase_window_days, 'UInt32'), tz);
  // Interactions older than the longest look-back before the first instant change no stage: read none of them.
  const oldest = zoneDaysBefore(`arrayMin(${instants})`, params.add(lookBackDays(settings), 'UInt32'), tz);
  const touches =
    `SELECT if(user_id != '', user_id, phone) AS unit, at, max(ts) AS last_touch, countIf(type = 'conversion' AND ts >= ${window}) AS conversions` +
    ` FROM events ARRAY JOIN ${instants} AS at WHERE ${allOf([ws, `type IN ${interactionTypes(params)}`, `ts >= ${oldest}`, 'ts < at'])} GROUP BY unit, at`;
  const contacts = `SELECT user_id, signup_at, at FROM contacts FINAL ARRAY JOIN ${instants} AS at WHERE ${allOf([ws, 'ifNull(signup_at < at, 1)'])}`;
  const stage = stageSql(settings, params, tz, { signup: 'c.signup_at', lastTouch: 'e.last_touch', conversions: 'e.conversions', at: 'c.at' });
  return `SELECT c.user_id AS user_id, c.at AS at, ${stage} AS stage FROM (${contacts}) AS c LEFT JOIN (${touches}) AS e ON e.unit = c.user_id AND e.at = c.at`;
}
