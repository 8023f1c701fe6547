/**
 * The one clock of domain code and routes: "now" is read here, never from Date.now() directly, so a test can
 * fix the time (a Wednesday noon, a DST day) instead of depending on the day it runs.
 */
let source: () => number = Date.now;

/** Milliseconds since the epoch, from the real clock unless a test has set another. */
export function now(): number {
  return source();
}

/** Tests only: replaces the clock; without an argument the real one is back. */
export function setClock(fn?: () => number): void {
  source = fn ?? Date.now;
}
