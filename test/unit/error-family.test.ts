/**
 * The one error family: every catalogue entry is complete (code, status, English and Chinese text),
 * each kind has its HTTP status and CLI exit code, and a domain error's path is placed under the
 * request part once, by the HTTP error handler, over a real listener.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import Type from 'typebox';
import { CATALOGUE, KINDS, statusOf, type CatalogueEntry } from '../../common/error-catalogue.ts';
import { AppError, errors } from '../../common/errors.ts';
import { describeFailure } from '../../cli/failures.ts';
import { installErrorHandler } from '../../api/error-handler.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';

/** Arguments every entry's messages accept (each reads only its own). */
const SAMPLE = {
  role: 'analyst',
  what: 'segment s1',
  reason: 'is wrong',
  max: 5,
  limit: 10,
  type: 'text/xml',
  accepted: ['application/json'],
  types: 'text/csv',
  seconds: 2,
  perMinute: 3,
  retryAfterSeconds: 4,
  version: 7,
  why: 'Kafka is away',
  header: 'x-smsp-app',
  message: 'm',
  address: 'http://127.0.0.1:3000',
  versions: ['0017'],
  name: '0001_events',
  detail: 'listen EADDRINUSE',
  dataDir: '/srv/smsp',
} as never;

describe('the error catalogue', () => {
  for (const [name, entry] of Object.entries(CATALOGUE) as [string, CatalogueEntry<never>][]) {
    it(`${name}: a code, a status, English and Chinese text`, () => {
      assert.match(entry.code, /^[A-Z][A-Z_]+$/);
      assert.ok(entry.kind in KINDS, entry.kind);
      const status = statusOf(entry);
      assert.ok(status >= 400 && status < 600, String(status));
      const en = entry.en(SAMPLE, 'body.x');
      const zh = entry.zh(SAMPLE, 'body.x');
      assert.ok(en.length > 0 && !en.includes('undefined'), en);
      assert.match(zh, /[\u4e00-\u9fff]/, `${name} has Chinese text: ${zh}`);
      assert.ok(!zh.includes('undefined'), zh);
    });
  }

  it('each kind maps to its HTTP status and CLI exit code', () => {
    // Written out here, not derived from KINDS: scripts and clients depend on these numbers.
    const expected = {
      invalid: [400, 2],
      unauthorized: [401, 4],
      forbidden: [403, 4],
      notFound: [404, 3],
      conflict: [409, 4],
      tooLarge: [413, 2],
      unsupportedMediaType: [415, 2],
      rateLimited: [429, 5],
      timeout: [504, 5],
      unavailable: [503, 5],
      internal: [500, 1],
    };
    assert.deepEqual(Object.fromEntries(Object.entries(KINDS).map(([k, v]) => [k, [v.status, v.exit]])), expected);
  });

  it('keeps the statuses and codes clients already see', () => {
    const answers = [
      [errors.unauthorized(), 401, 'UNAUTHORIZED'],
      [errors.forbidden('sender'), 403, 'FORBIDDEN'],
      [errors.otherWorkspace('workspace'), 403, 'FORBIDDEN'],
      [errors.rootKeyOnly(), 403, 'FORBIDDEN'],
      [errors.notFound('x'), 404, 'NOT_FOUND'],
      [errors.invalid('a', 'b'), 400, 'VALIDATION_FAILED'],
      [errors.tooManyItems('body', 3), 413, 'TOO_MANY_ITEMS'],
      [errors.bodyTooLarge(9), 413, 'BODY_TOO_LARGE'],
      [errors.importTooLarge('big'), 413, 'IMPORT_TOO_LARGE'],
      [errors.importRefused('bad'), 400, 'IMPORT_REFUSED'],
      [errors.importNeedsFile('text/csv'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [errors.unsupportedMediaType(undefined, ['a']), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [errors.headersTooLarge(1), 431, 'HEADERS_TOO_LARGE'],
      [errors.malformedRequest(), 400, 'BAD_REQUEST'],
      [errors.requestTimeout(), 408, 'REQUEST_TIMEOUT'],
      [errors.clusterTimeout(1), 422, 'CLUSTER_TIMEOUT'],
      [errors.rateLimited(1, 1), 429, 'RATE_LIMITED'],
      [errors.versionConflict('segment s', 2), 409, 'VERSION_CONFLICT'],
      [errors.queryTimeout(), 504, 'QUERY_TIMEOUT'],
      [errors.unavailable('x'), 503, 'UNAVAILABLE'],
      [errors.internal(), 500, 'INTERNAL'],
      [errors.frameworkRefusal('FST_X', 405, 'no'), 405, 'FST_X'],
    ] as const;
    for (const [err, status, code] of answers) assert.deepEqual([err.status, err.code], [status, code], err.entry);
  });

  it('places a path under a request part once, keeping the message in both languages', () => {
    const err = errors.invalid('variants[1].weight', 'must be positive');
    assert.equal(err.message, 'variants[1].weight: must be positive');
    const located = err.under('body');
    assert.deepEqual(
      [located.path, located.message, located.messageIn('zh-CN')],
      ['body.variants[1].weight', 'body.variants[1].weight: must be positive', '请求无效：body.variants[1].weight: must be positive'],
    );
    assert.equal(errors.invalid('[0].type', 'x').under('body').path, 'body[0].type');
    assert.equal(errors.importRefused('not a workbook').under('body').path, 'body', 'the input as a whole is the body');
  });

  it("the CLI prints one line with the code and exits with the kind's code", () => {
    const line = (err: unknown) => describeFailure(err, '/nowhere');
    assert.deepEqual(line(errors.notFound('experiment e1')), { code: 'NOT_FOUND', message: 'experiment e1 not found', exitCode: 3 });
    assert.deepEqual(line(errors.invalid('rule.tag', 'must be a string')), { code: 'VALIDATION_FAILED', message: 'rule.tag: must be a string', exitCode: 2 });
    assert.deepEqual(line(errors.rootKeyOnly()).exitCode, 4);
    assert.deepEqual(line(errors.versionConflict('segment s', 3)).exitCode, 4);
    assert.deepEqual(line(errors.queryTimeout()).exitCode, 5);
    assert.deepEqual(line(errors.internal()).exitCode, 1);
    assert.deepEqual(line(new Error('boom')), { code: 'FAILED', message: 'boom (run again with --verbose for details)', exitCode: 1 });
  });

  it("maps the machine's start-up refusals to one line each: port taken, data directory locked, disk full, schema from a newer version", () => {
    const line = (err: unknown) => describeFailure(err, '/srv/smsp');
    const errno = (code: string, message: string) => Object.assign(new Error(message), { code });
    assert.deepEqual(line(errno('EADDRINUSE', 'listen EADDRINUSE: address already in use 127.0.0.1:3000')), {
      code: 'PORT_IN_USE',
      message: 'listen EADDRINUSE: address already in use 127.0.0.1:3000: another program listens there; choose another with --port or PORT',
      exitCode: 5,
    });
    // Node's own ENOSPC (a key file, a temporary file), ClickHouse's NOT_ENOUGH_SPACE (code 243), and either wrapped as an internal error.
    const nodeFull = errno('ENOSPC', "ENOSPC: no space left on device, write '/srv/smsp/admin-api-key'");
    assert.deepEqual(line(nodeFull), {
      code: 'DISK_FULL',
      message:
        "the disk is full (ENOSPC: no space left on device, write '/srv/smsp/admin-api-key'); free space where the data lives (/srv/smsp) and start again",
      exitCode: 5,
    });
    assert.equal(line(errno('243', 'Cannot reserve 1.00 MiB, not enough space. ')).code, 'DISK_FULL');
    assert.equal(line(new Error('Cannot write to file /x: No space left on device')).code, 'DISK_FULL');
    assert.equal(line(errors.internal().causedBy(nodeFull)).code, 'DISK_FULL');
    const chdbLock = Object.assign(new Error('Failed to create connection: Cannot lock file /srv/smsp/chdb/status'), { name: 'ChdbConnectionError' });
    assert.deepEqual(line(chdbLock), {
      code: 'DATA_DIR_LOCKED',
      message:
        "the data directory /srv/smsp is in use: another smsp process has it open. The embedded engine allows one process per directory: use the server's HTTP API, stop it first, or set DATA_DIR to another directory",
      exitCode: 5,
    });
    assert.deepEqual(line(errors.schemaTooNew(['0017', '0018'])), {
      code: 'SCHEMA_TOO_NEW',
      message:
        'the database has migrations this version of smsp does not know (0017, 0018): a newer version wrote it; run that version, or point DATA_DIR or CLICKHOUSE_URL elsewhere',
      exitCode: 5,
    });
    assert.equal(line(errors.migrationChanged('0001_events')).code, 'MIGRATION_MISMATCH');
    // Every one of them reads in Chinese too (the catalogue's rule).
    assert.match(errors.diskFull('/srv/smsp', 'x').messageIn('zh-CN'), /磁盘空间不足/);
    // Something else that merely failed stays FAILED.
    assert.equal(line(errno('EACCES', 'permission denied')).code, 'FAILED');
  });
});

describe('the HTTP error handler', () => {
  it('names the request part of a domain path from the route schema, over a real listener', async () => {
    const app = Fastify();
    // The locale comes from Accept-Language here, so the warehouse is never asked.
    installErrorHandler(app, 1000, {} as Warehouse);
    const fail = (err: AppError) => async () => {
      throw err;
    };
    const body = Type.Object({ variants: Type.Array(Type.Unknown()), rule: Type.Optional(Type.Unknown()) });
    app.post('/b', { schema: { body } }, fail(errors.invalid('variants[1].weight', 'must be positive')));
    app.get('/q', { schema: { querystring: Type.Object({ to: Type.Optional(Type.String()) }) } }, fail(errors.invalid('to', 'must be after from')));
    app.post('/whole', { schema: { body } }, fail(errors.invalid('', 'too few contacts')));
    app.post('/state', { schema: { body } }, fail(errors.invalid('status', 'experiment e is draft')));
    app.post('/located', { schema: { body } }, fail(errors.validation('body.rule: is odd', 'body.rule')));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const call = async (method: string, url: string, lang = 'en') => {
        const res = await fetch(`${address}${url}`, {
          method,
          headers: { 'accept-language': lang, ...(method === 'POST' && { 'content-type': 'application/json' }) },
          ...(method === 'POST' && { body: '{"variants":[]}' }),
        });
        return [res.status, await res.json()];
      };
      assert.deepEqual(await call('POST', '/b'), [
        400,
        { statusCode: 400, code: 'VALIDATION_FAILED', message: 'body.variants[1].weight: must be positive', field: 'body.variants[1].weight' },
      ]);
      assert.deepEqual(await call('POST', '/b', 'zh-CN'), [
        400,
        { statusCode: 400, code: 'VALIDATION_FAILED', message: '请求无效：body.variants[1].weight: must be positive', field: 'body.variants[1].weight' },
      ]);
      assert.deepEqual(await call('GET', '/q?to=x'), [
        400,
        { statusCode: 400, code: 'VALIDATION_FAILED', message: 'querystring.to: must be after from', field: 'querystring.to' },
      ]);
      assert.deepEqual(await call('POST', '/whole'), [400, { statusCode: 400, code: 'VALIDATION_FAILED', message: 'body: too few contacts', field: 'body' }]);
      // Not request input: the path is left as it is.
      assert.deepEqual(await call('POST', '/state'), [
        400,
        { statusCode: 400, code: 'VALIDATION_FAILED', message: 'status: experiment e is draft', field: 'status' },
      ]);
      assert.deepEqual(await call('POST', '/located'), [400, { statusCode: 400, code: 'VALIDATION_FAILED', message: 'body.rule: is odd', field: 'body.rule' }]);
    } finally {
      await app.close();
    }
  });
});
