/**
 * Calendar dates and instants as users type them, checked as real dates inside the range the warehouse
 * stores (ClickHouse Date32 and DateTime64 hold 1900-01-01 to 2299-12-31). `Date.parse` alone is not
 * enough: it accepts 2024-02-30 (as March 1st) and years far beyond what ClickHouse parses.
 */

export const EARLIEST_DATE = '1900-01-01';
export const LATEST_DATE = '2299-12-31';
const EARLIEST_MS = Date.UTC(1900, 0, 1);
const LATEST_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 instant with an explicit offset: 2024-05-01T08:00:00Z, 2024-05-01T08:00:00.123+08:00.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?([Zz]|[+-](\d{2}):?(\d{2}))$/;

function realDay(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** True for a real calendar date YYYY-MM-DD within the warehouse's range. */
export function isStorableDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  return realDay(Number(m[1]), Number(m[2]), Number(m[3])) && text >= EARLIEST_DATE && text <= LATEST_DATE;
}

/** Epoch milliseconds of an ISO 8601 instant with an offset, or undefined when it is not a real, storable time. */
export function storableInstantMs(text: string): number | undefined {
  const m = INSTANT.exec(text);
  if (!m) return undefined;
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (!realDay(Number(m[1]), Number(m[2]), Number(m[3])) || hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[8] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return undefined;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) && ms >= EARLIEST_MS && ms <= LATEST_MS ? ms : undefined;
}
