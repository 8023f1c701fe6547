/**
 * A list body (a JSON array or NDJSON lines: events, contacts) is accepted item by item: an item that cannot be
 * parsed or validated is refused alone, by its index, and the rest still counts.
 */
import type { FieldError } from './schema-errors.ts';

/** An item that could not even be parsed (e.g. a malformed NDJSON line) carries its parse error. */
export class UnparsableItem {
  constructor(readonly reason: string) {}
}

/** A refused item: its index in the body and why. */
export interface Rejection {
  index: number;
  error: FieldError;
}
