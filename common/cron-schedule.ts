/**
 * Cron slots in a time zone (croner): which instants a 5-field expression names on the zone's clock, and
 * which slot of a job is due. DST follows croner's fixed-time rule (`no-wildcard`): an expression without a
 * wildcard or step in its minute and hour fields (`30 2 * * *`, `0 8,20 * * *`) runs once on the day a
 * local time repeats (at its first occurrence), and a local time the clocks skip runs at the first valid
 * instant after the gap (02:30 on New York's spring-forward day runs at 03:00 EDT). An expression with a
 * wildcard or step (`0 * * * *`, `*\/30 * * * *`) counts real hours: it runs in both passes of a repeated
 * hour, and skipped times do not run.
 */
import { Cron } from 'croner';
import { errors } from './errors.ts';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
/** Firing days looked at for two that meet at midnight: more than a (leap) year of them. */
const CHECK_DAYS = 400;

function cronOf(expression: string, timezone: string): Cron {
  return new Cron(expression, { timezone, mode: '5-part', fixedTimeRule: 'no-wildcard', paused: true });
}

/**
 * Checks a cron expression for a schedule: 5 fields, valid, fires at all, and never twice within
 * `minIntervalMinutes` on the clock. Problems are a 400 naming `path`.
 */
export function checkCron(expression: string, minIntervalMinutes: number, path = 'cron'): void {
  let cron: Cron;
  try {
    cron = cronOf(expression, 'UTC');
  } catch (err) {
    throw errors.invalid(path, `not a 5-field cron expression (minute hour day-of-month month day-of-week): ${(err as Error).message}`);
  }
  const min = minIntervalMinutes * MINUTE;
  const tooOften = () => errors.invalid(path, `fires more often than every ${minIntervalMinutes} minutes`);
  // On UTC (no DST) the clock is the real one. Every day that fires has the same minutes and hours, so the
  // first such day shows the gaps within a day; a gap across midnight needs two days in a row that fire.
  const first = cron.nextRun(new Date(Date.UTC(2024, 0, 1) - 1))?.getTime();
  if (first === undefined) throw errors.invalid(path, 'never fires');
  const dayStart = first - (first % DAY);
  let last = first;
  for (let next = cron.nextRun(new Date(first))?.getTime(); next !== undefined && next < dayStart + DAY; next = cron.nextRun(new Date(next))?.getTime()) {
    if (next - last < min) throw tooOften();
    last = next;
  }
  if (first - dayStart + DAY - (last - dayStart) >= min) return;
  let lastOfDay = last;
  for (let day = 0; day < CHECK_DAYS; day++) {
    const next = cron.nextRun(new Date(lastOfDay))?.getTime();
    if (next === undefined) return;
    if (next - lastOfDay < min) throw tooOften();
    lastOfDay = next + (last - first);
  }
}

/** The first slot strictly after `afterMs`, or undefined when the expression never fires again. */
export function nextSlot(expression: string, timezone: string, afterMs: number): number | undefined {
  return cronOf(expression, timezone).nextRun(new Date(afterMs))?.getTime();
}

/**
 * The slot a job should run now, or undefined: due when the first slot after `afterMs` (its last run's slot, or
 * when the schedule took effect) has come. Several slots missed (the server was down) give ONE run, of the
 * latest of them.
 */
export function dueSlot(expression: string, timezone: string, afterMs: number, nowMs: number): number | undefined {
  const cron = cronOf(expression, timezone);
  const first = cron.nextRun(new Date(afterMs))?.getTime();
  if (first === undefined || first > nowMs) return undefined;
  // previousRuns takes the slots strictly before its reference: +1 ms includes a slot at exactly now.
  const latest = cron.previousRuns(1, new Date(nowMs + 1))[0]?.getTime();
  return latest !== undefined && latest >= first ? latest : first;
}
