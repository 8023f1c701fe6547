/**
 * Request body types. JSON (and NDJSON, see ndjson.ts) everywhere; fastify's default text/plain parser is
 * dropped so a text body sent to a JSON route is a 415 naming what the route takes, not a confusing 400
 * (the import route declares text/plain itself).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

export function acceptOnlyDeclaredBodyTypes(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
}

interface ParserTable {
  parserList: string[];
  parserRegExpList: RegExp[];
}

/**
 * The content types the request's route has parsers for. fastify does not expose them, so this reads
 * the route context's parser table (covered by the 415 tests, which fail if fastify changes it).
 */
export function acceptedContentTypes(request: FastifyRequest): string[] {
  const contextKey = Object.getOwnPropertySymbols(request).find((s) => s.description === 'fastify.context');
  const parsers = contextKey && (request as unknown as Record<symbol, { contentTypeParser?: ParserTable }>)[contextKey]?.contentTypeParser;
  if (!parsers) return [];
  // Newest parsers are first in fastify's lists; registration order reads better.
  return [...parsers.parserList].reverse().concat(parsers.parserRegExpList.map(String));
}
