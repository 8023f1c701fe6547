/**
 * Body parsing for list endpoints: a JSON array or NDJSON (one JSON value per line). A malformed
 * NDJSON line becomes an UnparsableItem at its index, so the rest of the body still counts.
 */
import type { FastifyInstance } from 'fastify';
import { UnparsableItem, type Rejection } from '../common/list-items.ts';
import { errors } from '../common/errors.ts';
import { errorBody, type ErrorBody } from './errors.ts';

export function parseNdjson(text: string): unknown[] {
  const items: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      items.push(JSON.parse(line));
    } catch {
      items.push(new UnparsableItem(`line ${i + 1}: not valid JSON`));
    }
  });
  return items;
}

export function registerNdjsonParser(app: FastifyInstance): void {
  app.addContentTypeParser(['application/x-ndjson', 'application/ndjson', 'application/jsonl'], { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseNdjson(body as string));
  });
}

/**
 * When no item of a list body was accepted, the request as a whole is bad: a 400 naming the first
 * bad item's field, with every item's reason.
 */
export function nothingAccepted(rejected: readonly Rejection[]): ErrorBody & { rejected: readonly Rejection[] } {
  const first = rejected[0]!;
  const field = `body[${first.index}]${first.error.field ? `.${first.error.field}` : ''}`;
  return { ...errorBody(errors.validation(`nothing accepted; body[${first.index}]: ${first.error.message}`, field)), rejected };
}

/** The list of items in a body that is a JSON array or NDJSON; anything else is a 400 naming the body. */
export function bodyItems(body: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(body)) throw errors.validation(`${field}: must be a JSON array or NDJSON lines`, field);
  if (body.length === 0) throw errors.validation(`${field}: is empty`, field);
  if (body.length > max) throw errors.tooManyItems(field, max);
  return body;
}
