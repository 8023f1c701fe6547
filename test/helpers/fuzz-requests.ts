/**
 * Whole HTTP requests for one route of `app.routeTable`, generated from its schema (params, querystring,
 * body) and the hostile dictionary, and the properties every answer must have.
 */
import fc from 'fast-check';
import {
  RAW_BODIES,
  RAW_PATH_VALUES,
  RAW_QUERY_FRAGMENTS,
  EXTRA_KEYS,
  MARKUP_AND_CONTROL,
  PROTOTYPE_NAMES,
  LONG_STRINGS,
  INVALID_DATES,
  TIME_ZONES,
  NUMBER_LIKE_STRINGS,
} from './fuzz-dictionary.ts';
import { encodeAny, hostileValue, queryText, schemaArb, serializeBody, type GenContext, type JsonSchema } from './schema-arbitrary.ts';

export interface RouteUnderTest {
  method: string;
  url: string;
  schema?: { params?: JsonSchema; querystring?: JsonSchema; body?: JsonSchema };
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

/** Item schemas of list bodies declared as `Type.Array(Type.Unknown())` (their items are judged one by one). */
export interface ItemSchemas {
  [routeKey: string]: JsonSchema;
}

const hostileText = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES, ...MARKUP_AND_CONTROL, ...LONG_STRINGS, ...INVALID_DATES, ...TIME_ZONES, ...NUMBER_LIKE_STRINGS),
  fc.string({ maxLength: 12 }),
);

/** The value of one path parameter, already encoded for the URL. */
function paramArb(name: string, schema: JsonSchema | undefined, ctx: GenContext): fc.Arbitrary<string> {
  const known = ctx.ids.length ? fc.constantFrom(...ctx.ids) : fc.constant('x');
  const typed = schema ? schemaArb(schema, name, { ...ctx, hostile: false }).map((v) => String(v)) : fc.constant('1');
  return fc.oneof(
    { weight: 3, arbitrary: known.map(encodeAny) },
    { weight: 2, arbitrary: typed.map(encodeAny) },
    { weight: 3, arbitrary: hostileText.map(encodeAny) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_PATH_VALUES) },
  );
}

function pathArb(route: RouteUnderTest, ctx: GenContext): fc.Arbitrary<string> {
  const parts = route.url.split('/').map((segment) => {
    if (segment === '*')
      return fc.oneof(
        fc.constantFrom('index.html', 'swagger-ui.css', '../../../../etc/passwd', '..%2F..%2Fpackage.json', '%00', ''),
        hostileText.map(encodeAny),
      );
    if (!segment.startsWith(':')) return fc.constant(segment);
    const name = segment.slice(1);
    return paramArb(name, route.schema?.params?.properties?.[name], ctx);
  });
  return fc.tuple(...parts).map((p) => p.join('/'));
}

function queryArb(route: RouteUnderTest, ctx: GenContext): fc.Arbitrary<string> {
  const schema = route.schema?.querystring;
  const fields: fc.Arbitrary<[string, string] | null>[] = Object.entries<JsonSchema>(schema?.properties ?? {}).map(([key, sub]) => {
    const value = fc.oneof(
      { weight: 3, arbitrary: schemaArb(sub, key, { ...ctx, hostile: false }).map(queryText) },
      { weight: ctx.hostile ? 2 : 0, arbitrary: hostileValue.map(queryText) },
    );
    const required = (schema?.required ?? []).includes(key);
    return fc.option(
      value.map((v) => [key, v] as [string, string]),
      { freq: required ? (ctx.hostile ? 10 : 1000) : 2 },
    );
  });
  const extra = ctx.hostile ? fc.array(fc.tuple(fc.constantFrom(...EXTRA_KEYS), hostileValue.map(queryText)), { maxLength: 2 }) : fc.constant([]);
  const raw = ctx.hostile ? fc.option(fc.constantFrom(...RAW_QUERY_FRAGMENTS), { freq: 4 }) : fc.constant(null);
  return fc.tuple(fc.tuple(...fields), extra, raw).map(([given, more, fragment]) => {
    const pairs = [...given.filter((p) => p !== null), ...more].map(([k, v]) => `${encodeAny(k)}=${encodeAny(v)}`);
    if (fragment) pairs.push(fragment);
    return pairs.length ? `?${pairs.join('&')}` : '';
  });
}

const JSON_TYPE = 'application/json';
const ODD_TYPES = [
  'text/plain',
  'application/x-ndjson',
  'application/xml',
  'application/json; charset=utf-16',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'APPLICATION/JSON',
];
const FILE_TYPES = ['text/plain', 'text/csv', 'application/octet-stream', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'];

/** A file for the contact import: number lists and CSVs with hostile headers and cells, and garbage. */
const importFile = fc.oneof(
  fc
    .array(fc.oneof(fc.constantFrom('13812345678', '+8613912345678', '008613712345678', '1.38E+20', '12345'), hostileText), { maxLength: 5 })
    .map((lines) => lines.join('\n')),
  fc
    .tuple(
      fc.array(fc.constantFrom('phone', 'user_id', 'name', 'city', 'birthday', 'vip_level', 'tags', 'tag:vip', '手机号', ...PROTOTYPE_NAMES), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.array(fc.array(hostileText, { minLength: 1, maxLength: 4 }), { maxLength: 3 }),
    )
    .map(([header, rows]) => [header.join(','), ...rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(','))].join('\n')),
  fc.constantFrom('PK\u0003\u0004garbage', '\ufeffphone\n13812345678', 'phone;name\n13812345678;"unclosed', ''),
);

function bodyArb(route: RouteUnderTest, ctx: GenContext, items: ItemSchemas): fc.Arbitrary<{ payload?: string; type?: string }> {
  const key = `${route.method} ${route.url}`;
  if (route.url.endsWith('/contacts/import')) {
    return fc.tuple(importFile, fc.constantFrom(...FILE_TYPES, JSON_TYPE, undefined)).map(([payload, type]) => ({ payload, type }));
  }
  const schema = route.schema?.body;
  let structured: fc.Arbitrary<unknown>;
  if (items[key]) structured = fc.array(schemaArb(items[key], 'item', ctx), { minLength: 1, maxLength: 4 });
  else if (schema) structured = schemaArb(schema.anyOf?.find((s: JsonSchema) => s.type === 'object') ?? schema, 'body', ctx);
  else structured = fc.oneof(fc.constant(undefined), hostileValue);
  const text = structured.map((v) => (v === undefined ? undefined : serializeBody(v)));
  const type = fc.oneof({ weight: 8, arbitrary: fc.constant(JSON_TYPE) }, { weight: ctx.hostile ? 1 : 0, arbitrary: fc.constantFrom(...ODD_TYPES) });
  const structuredBody = fc.tuple(text, type).map(([payload, t]) => ({ payload, type: payload === undefined ? undefined : t }));
  if (!ctx.hostile) return structuredBody;
  return fc.oneof(
    { weight: 5, arbitrary: structuredBody },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES).map((payload) => ({ payload, type: JSON_TYPE })) },
  );
}

/** A request to `route` with `authorization` (or none). */
export function requestArb(
  route: RouteUnderTest,
  authorization: fc.Arbitrary<string | undefined>,
  ctx: GenContext,
  items: ItemSchemas = {},
): fc.Arbitrary<FuzzRequest> {
  const carriesBody = !['GET', 'HEAD'].includes(route.method);
  const body = carriesBody ? bodyArb(route, ctx, items) : fc.constant({ payload: undefined, type: undefined });
  return fc.tuple(pathArb(route, ctx), queryArb(route, ctx), body, authorization).map(([path, query, { payload, type }, auth]) => {
    const headers: Record<string, string> = { 'accept-language': 'en' };
    if (auth !== undefined) headers.authorization = auth;
    if (type !== undefined) headers['content-type'] = type;
    return { method: route.method, url: path + query, headers, ...(payload !== undefined && { payload }) };
  });
}

export interface FuzzAnswer {
  method: string;
  status: number;
  body: string;
}

/**
 * The problems of one answer (empty when it is fine):
 * - never a 5xx;
 * - every 4xx (but to HEAD, which has no body) is JSON {statusCode, code, message[, field]} with statusCode
 *   equal to the HTTP status;
 * - a 400 and any VALIDATION_FAILED name the `field` (every 400 past the HTTP parser is about some part of
 *   the request: a field, the body, the url); 401, 403, 404, 409, 413, 415 and 429 are about the request as
 *   a whole (so is the parser's 400 BAD_REQUEST for bytes that are not HTTP, which no request generated here
 *   can cause);
 * - no marker of another workspace's data appears anywhere in the body.
 */
export function answerProblems(answer: FuzzAnswer, markers: readonly string[]): string[] {
  const problems: string[] = [];
  const { status, body } = answer;
  if (status >= 500) problems.push(`answered ${status}`);
  // A HEAD answer has no body to judge, only its status.
  if (status >= 400 && answer.method !== 'HEAD') {
    let json: any;
    try {
      json = JSON.parse(body);
    } catch {
      problems.push(`a ${status} whose body is not JSON`);
    }
    if (json !== undefined) {
      if (json?.statusCode !== status) problems.push(`statusCode ${json?.statusCode} differs from HTTP ${status}`);
      if (typeof json?.code !== 'string' || !json.code) problems.push('no code');
      if (typeof json?.message !== 'string' || !json.message) problems.push('no message');
      if ((status === 400 || json?.code === 'VALIDATION_FAILED') && (typeof json?.field !== 'string' || !json.field))
        problems.push(`a ${status} ${json?.code} without a field`);
    }
  }
  for (const marker of markers) if (body.includes(marker)) problems.push(`leaks another workspace's ${marker}`);
  return problems;
}

/** A short, printable form of a request for failure messages. */
export function describeRequest(req: FuzzRequest): string {
  const payload = typeof req.payload === 'string' && req.payload.length > 600 ? `${req.payload.slice(0, 600)}… (${req.payload.length} chars)` : req.payload;
  return JSON.stringify({
    method: req.method,
    url: req.url.length > 600 ? `${req.url.slice(0, 600)}…` : req.url,
    headers: { ...req.headers, authorization: req.headers.authorization && `${req.headers.authorization.slice(0, 14)}…` },
    payload,
  });
}
