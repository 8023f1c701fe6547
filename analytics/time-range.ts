/** The time range an analytics query covers, checked before any SQL runs. */
import { errors } from '../common/errors.ts';

/** One query reads at most this many days. */
export const MAX_RANGE_DAYS = 400;

/** `from`/`to` as epoch milliseconds; problems name `to` (relative to the caller's input). */
export function queryRange(from: string, to: string): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  if (!(toMs > fromMs)) throw errors.invalid('to', 'must be after from');
  if (toMs - fromMs > MAX_RANGE_DAYS * 86_400_000) throw errors.invalid('to', `at most ${MAX_RANGE_DAYS} days per query`);
  return { fromMs, toMs };
}
