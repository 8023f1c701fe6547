/** Timestamps cross the warehouse boundary as ClickHouse DateTime64(3) text in UTC. */
import { now } from '../common/clock.ts';

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
/**
 * A strictly increasing version number (microseconds since the epoch, from the app's clock) for newest-wins
 * rows. It is the one clock that decides which write is newest: version columns, version claims' claimed_at
 * and metadata's changed_at all take it, never the engine's now64().
 */
export function nextVersion(): number {
  lastVersion = Math.max(now() * 1000, lastVersion + 1);
  return lastVersion;
}

/** A version number as DateTime64(6) text in UTC ('2026-01-02 03:04:05.678901'). */
export function formatVersionTs(version: number): string {
  return `${formatTs(Math.floor(version / 1000))}${String(version % 1000).padStart(3, '0')}`;
}
