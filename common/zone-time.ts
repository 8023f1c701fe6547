/**
 * Calendar arithmetic in an IANA time zone (the workspace's, or a request's `tz`), from the platform's own
 * Intl time-zone data: bucket starts and ends, and look-backs in calendar days. A day is midnight to midnight
 * in the zone (23 or 25 hours on a DST day), and "7 days back" keeps the wall-clock time, so it is 7×24 h ± the
 * DST shift in between. Hours are real hours, cut at the zone's hour (xx:30 UTC in +05:30, xx:15 in +08:45).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A wall-clock time in a zone. Months are 1-12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall-clock time of an instant in the zone. */
export function wallTime(ms: number, tz: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const millisecond = ((ms % 1000) + 1000) % 1000;
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second!, millisecond };
}

/** The wall-clock time read as if it were UTC: the instant plus the zone's offset. */
const asUtc = (w: WallTime) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);

/** The zone's offset from UTC at an instant, in milliseconds (+05:30 is 19,800,000). */
export function zoneOffsetMs(ms: number, tz: string): number {
  return asUtc(wallTime(ms, tz)) - ms;
}

const sameWall = (a: WallTime, b: WallTime) => asUtc(a) === asUtc(b);

/**
 * The instant of a wall-clock time in the zone. A time that happens twice (the hour repeated when clocks go
 * back) is its earlier instant; a time that never happens (the hour skipped when clocks go forward) is moved
 * on by the gap, as Temporal's `compatible` does (02:30 on New York's spring-forward day is 03:30 EDT).
 */
export function zonedInstant(w: WallTime, tz: string): number {
  const local = asUtc(w);
  // The offsets just before and just after any transition near this wall time.
  const before = zoneOffsetMs(local - DAY, tz);
  const after = zoneOffsetMs(local + DAY, tz);
  const candidates = [local - before, local - after].filter((ms) => sameWall(wallTime(ms, tz), w)).sort((a, b) => a - b);
  return candidates[0] ?? local - before;
}

/** Moves a calendar date by whole days (month and year lengths included). */
function shiftDate(w: WallTime, days: number): WallTime {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days));
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The same wall-clock time `days` calendar days later (negative: earlier) in the zone. */
export function addZoneDays(ms: number, days: number, tz: string): number {
  return zonedInstant(shiftDate(wallTime(ms, tz), days), tz);
}

/** Midnight that starts the instant's day in the zone. */
export function startOfZoneDay(ms: number, tz: string): number {
  return zonedInstant({ ...wallTime(ms, tz), hour: 0, minute: 0, second: 0, millisecond: 0 }, tz);
}

/** The start of the instant's hour on the zone's clock. */
export function startOfZoneHour(ms: number, tz: string): number {
  const w = wallTime(ms, tz);
  return ms - (w.minute * 60_000 + w.second * 1000 + w.millisecond);
}

/** Monday midnight that starts the instant's week in the zone. */
function startOfZoneWeek(ms: number, tz: string): number {
  const w = wallTime(ms, tz);
  const sinceMonday = (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7;
  return zonedInstant({ ...shiftDate(w, -sinceMonday), hour: 0, minute: 0, second: 0, millisecond: 0 }, tz);
}

export type CalendarInterval = 'hour' | 'day' | 'week';

/** The start of the hour, day or week (from Monday) holding the instant, in the zone. */
export function bucketStart(ms: number, interval: CalendarInterval, tz: string): number {
  if (interval === 'hour') return startOfZoneHour(ms, tz);
  return interval === 'day' ? startOfZoneDay(ms, tz) : startOfZoneWeek(ms, tz);
}

/** Where the bucket that starts at `startMs` ends: an hour later, or the next midnight (23 to 25 h) or Monday. */
export function bucketEnd(startMs: number, interval: CalendarInterval, tz: string): number {
  if (interval === 'hour') return startMs + HOUR;
  return addZoneDays(startMs, interval === 'day' ? 1 : 7, tz);
}
