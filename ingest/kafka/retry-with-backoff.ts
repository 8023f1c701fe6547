/** Keeps trying to reach Kafka in the background: the API serves meanwhile and reports "not ready". */
import { setTimeout as sleep } from 'node:timers/promises';

export interface BackoffOptions {
  /** Aborting ends the waiting at once; the function then resolves false. */
  signal: AbortSignal;
  onFailure(err: unknown, attempt: number, nextDelayMs: number): void;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** Runs `attempt` until it succeeds (true) or the signal aborts (false), waiting 1 s doubling to 30 s between failures. */
export async function retryWithBackoff(attempt: () => Promise<void>, opts: BackoffOptions): Promise<boolean> {
  let delay = opts.initialDelayMs ?? 1000;
  const maxDelay = opts.maxDelayMs ?? 30_000;
  for (let n = 1; !opts.signal.aborted; n++) {
    try {
      await attempt();
      return true;
    } catch (err) {
      if (opts.signal.aborted) return false;
      opts.onFailure(err, n, delay);
      try {
        await sleep(delay, undefined, { signal: opts.signal });
      } catch {
        return false;
      }
      delay = Math.min(delay * 2, maxDelay);
    }
  }
  return false;
}

/** A short description of why an attempt failed, for logs and /readyz. */
export function failureText(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string } };
  const cause = e?.cause?.message && e.cause.message !== e.message ? ` (${e.cause.message})` : '';
  return `${e?.message ?? String(err)}${cause}`.slice(0, 300);
}
