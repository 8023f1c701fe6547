/**
 * A fake clock for tests: the platform reads "now" from common/clock.ts, and a test fixes it to a chosen
 * weekday and wall-clock time instead of depending on the day it runs. The fixed time is the most recent such
 * moment before the real date, so data written around it stays inside the retention window.
 */
import { setClock } from '../../common/clock.ts';

type Weekday = 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';

/** The latest instant before the real now that reads `weekday hh:mm` in the zone (found with Intl, a quarter hour at a time). */
export function recentWallTime(weekday: Weekday, time: string, tz: string): number {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const want = `${weekday} ${time}`;
  const start = Math.floor(Date.now() / 900_000) * 900_000;
  for (let t = start; t > start - 8 * 86_400_000; t -= 900_000) if (fmt.format(t).replace(',', '') === want) return t;
  throw new Error(`no ${want} in ${tz} in the past week (a time on a quarter hour is needed)`);
}

/** Fixes the platform's clock at `ms` until the returned function puts the real clock back. */
export function fixClock(ms: number): () => void {
  setClock(() => ms);
  return () => setClock();
}
