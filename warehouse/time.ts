/** Timestamps cross the warehouse boundary as ClickHouse DateTime64(3) text in UTC. */

/** '2026-01-02 03:04:05.678' for a millisecond epoch. */
export function formatTs(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** Milliseconds since the epoch for a DateTime64 text the warehouse returned (always UTC). */
export function parseTs(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

/** ISO 8601 with `Z` for API responses: never a bare local time. */
export function isoFromTs(text: string): string {
  return new Date(parseTs(text)).toISOString();
}

let lastVersion = 0;
/** A strictly increasing version number (microseconds since the epoch) for newest-wins rows. */
export function nextVersion(): number {
  lastVersion = Math.max(Date.now() * 1000, lastVersion + 1);
  return lastVersion;
}
