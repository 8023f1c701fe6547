/**
 * Fastify serializes an answer from the route's response schema, silently dropping properties the
 * schema does not name and coercing values to its types. In tests every JSON answer is compared with
 * what the handler returned: a difference is a schema that forgot a field (or typed it wrongly).
 */
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const returned = new WeakMap<FastifyRequest, string>();

/** Differences found so far, for a test to assert on (each is also thrown as a 500). */
export const responseMismatches: string[] = [];

export function checkResponsesAgainstHandlers(app: FastifyInstance): void {
  app.addHook('preSerialization', async (request, _reply, payload) => {
    returned.set(request, JSON.stringify(payload));
    return payload;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const before = returned.get(request);
    returned.delete(request);
    if (before === undefined || typeof payload !== 'string') return payload;
    if (isDeepStrictEqual(JSON.parse(payload), JSON.parse(before))) return payload;
    const problem = `${request.method} ${request.routeOptions.url} (${reply.statusCode}): the handler returned ${before.slice(0, 2000)} but the schema serialized ${payload.slice(0, 2000)}`;
    responseMismatches.push(problem);
    console.error(`RESPONSE SCHEMA MISMATCH: ${problem}`);
    throw new Error(problem);
  });
}
