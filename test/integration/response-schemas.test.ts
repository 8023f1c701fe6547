/**
 * Every JSON route declares what it answers: fastify serializes the answer from that schema (dropping
 * what it does not name) and /docs documents it. Streaming routes are the exceptions, named below. Also
 * the one cursor codec: a list's cursor and an export's are sealed alike and never accepted for each other.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Type from 'typebox';
import { AppError } from '../../common/errors.ts';
import { decodeCursor, encodeCursor } from '../../api/cursor.ts';
import { bearer, startTestApp } from '../helpers/app.ts';
import { responseMismatches } from '../helpers/response-check.ts';

/** Routes whose answer is a stream of bytes, not one JSON value. */
const STREAMING = new Set(['GET /metrics', 'GET /', 'GET /app/*', 'GET /dashboard', 'GET /v1/audiences/:id/export', 'GET /v1/audiences/:id/diff']);

/** Not this app's routes: the Swagger UI plugin's pages and files. */
const isDocs = (url: string) => url === '/docs' || url.startsWith('/docs/');
const successCodes = (response: unknown) => Object.keys((response ?? {}) as object).filter((code) => /^2\d\d$/.test(code));

// A route whose schema forgets a field, to show that the tests' response check notices.
const t = await startTestApp('response_schemas', {}, (app) => {
  app.get('/test/forgetful', { config: { roles: 'public' }, schema: { hide: true, response: { 200: Type.Object({ kept: Type.Integer() }) } } }, async () => ({
    kept: 1,
    forgotten: 2,
  }));
});

describe('response schemas', () => {
  let base: string;
  before(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  });
  after(() => t.close());

  it('every JSON route of the route table declares a success answer', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const route of t.app.routeTable) {
      // HEAD twins share their GET's schema.
      const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
      for (const method of methods) {
        const key = `${method} ${route.url}`;
        if (isDocs(route.url!) || STREAMING.has(key)) continue;
        const declared = successCodes(route.schema?.response).length > 0;
        checked++;
        if (!declared) missing.push(key);
      }
    }
    assert.ok(checked > 35, `only ${checked} routes checked?`);
    assert.deepEqual(missing, [], 'JSON routes without a response schema (a streaming route belongs in STREAMING)');
    // Every exception names a route that exists.
    const keys = new Set(t.app.routeTable.flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((m) => `${m} ${r.url}`)));
    assert.deepEqual(
      [...STREAMING].filter((k) => !keys.has(k)),
      [],
      'exceptions for routes that no longer exist',
    );
  });

  it('the OpenAPI document at /docs/json documents the answers (over HTTP)', async () => {
    const res = await fetch(`${base}/docs/json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as {
      paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
    };
    type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; enum?: string[]; anyOf?: Schema[]; nullable?: boolean };
    const undocumented: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      const url = path.replace(/\{(\w+)\}/g, ':$1');
      for (const [method, op] of Object.entries(operations)) {
        const key = `${method.toUpperCase()} ${url}`;
        if (method === 'head' || isDocs(url) || STREAMING.has(key)) continue;
        if (successCodes(op.responses).length === 0) undocumented.push(key);
      }
    }
    assert.deepEqual(undocumented, []);
    const ok = (path: string, method: string, code = '200') => doc.paths[path]![method]!.responses![code]!.content!['application/json']!.schema;
    // Shapes a client relies on, as the document states them.
    const contacts = ok('/v1/contacts', 'get');
    assert.equal(contacts.properties!.contacts!.type, 'array');
    assert.deepEqual(Object.keys(contacts.properties!.contacts!.items!.properties!).sort(), [
      'attributes',
      'birthday',
      'city',
      'consent',
      'consent_at',
      'gender',
      'name',
      'phone',
      'region',
      'signup_at',
      'updated_at',
      'user_id',
      'vip_level',
    ]);
    // OpenAPI 3.0 spells "or null" as nullable; the plugin may keep anyOf.
    const next = contacts.properties!.next_cursor!;
    assert.ok(next.nullable === true || next.anyOf?.some((s) => s.type === 'null'), `the last page has next_cursor null: ${JSON.stringify(next)}`);
    assert.deepEqual(ok('/v1/experiments/{id}', 'get').properties!.spec!.properties!.status!.enum, ['draft', 'running', 'stopped']);
    assert.ok(ok('/v1/keys', 'post', '201').properties!.key, 'the created key is documented');
    assert.ok(doc.paths['/v1/keys/{key_id}']!.delete!.responses!['204'], 'a revocation answers 204');
  });

  it('answers are serialized from their schema: the tests notice a field the schema forgot', async () => {
    const before = responseMismatches.length;
    const res = await t.app.inject({ url: '/test/forgetful' });
    assert.equal(res.statusCode, 500, 'a forgotten field fails the request in tests instead of vanishing');
    assert.equal(responseMismatches.length, before + 1);
    assert.match(responseMismatches.at(-1)!, /GET \/test\/forgetful .*"forgotten":2/);
    responseMismatches.length = before;
  });

  it('one cursor codec: positions round-trip sealed, and a cursor is only taken back by the list that issued it', async () => {
    assert.deepEqual(decodeCursor(encodeCursor('contacts', { after: 'u_9' }), 'querystring.cursor', 'contacts'), { after: 'u_9' });
    assert.deepEqual(decodeCursor(encodeCursor('audience a export', { after: 'u_9', version: 3 }), 'querystring.cursor', 'audience a export'), {
      after: 'u_9',
      version: 3,
    });
    const listCursor = encodeCursor('contacts', { after: '' });
    const exportCursor = encodeCursor('audience a export', { after: '', version: 1 });
    assert.doesNotMatch(
      Buffer.from(encodeCursor('contacts', { after: 'u_secret_9' }), 'base64url').toString('latin1'),
      /u_secret_9/,
      'sealed, not just encoded',
    );
    const refused = (run: () => unknown) => assert.throws(run, (err) => err instanceof AppError && err.status === 400 && err.path === 'querystring.cursor');
    refused(() => decodeCursor(exportCursor, 'querystring.cursor', 'contacts'));
    refused(() => decodeCursor(listCursor, 'querystring.cursor', 'audience a export'));
    refused(() => decodeCursor(exportCursor, 'querystring.cursor', 'audience b export'));
    refused(() => decodeCursor(listCursor, 'querystring.cursor', 'segments'));
    const tampered = Buffer.from(listCursor, 'base64url');
    tampered[tampered.length - 1]! ^= 1;
    refused(() => decodeCursor(tampered.toString('base64url'), 'querystring.cursor', 'contacts'));

    // Through the listener: a list takes its own cursor and refuses an export's and another list's (alerts parse
    // their own cursors: another list's must be a 400, never a 500).
    const key = await t.keyFor('analyst');
    const list = await fetch(`${base}/v1/contacts?limit=5&cursor=${listCursor}`, { headers: bearer(key) });
    assert.equal(list.status, 200);
    assert.deepEqual(await list.json(), { contacts: [], next_cursor: null });
    for (const url of [`/v1/contacts?limit=5&cursor=${exportCursor}`, `/v1/alerts?limit=5&cursor=${listCursor}`, `/v1/segments?cursor=${listCursor}`]) {
      const wrong = await fetch(`${base}${url}`, { headers: bearer(key) });
      assert.equal(wrong.status, 400, url);
      assert.equal(((await wrong.json()) as { field: string }).field, 'querystring.cursor', url);
    }
  });
});
