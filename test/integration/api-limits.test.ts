import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildApp, type App } from '../../api/app.ts';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

/** Writes raw bytes to the listener and reads the whole answer (the server closes the connection). */
function rawExchange(address: string, bytes: string): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(address);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    // The server may close before it has read everything we sent: what it answered still counts.
    socket.on('error', (err) => (received ? undefined : reject(err)));
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body });
    });
    socket.write(bytes);
  });
}

describe('request limits: rate limits, 415, 431, evaluation range', () => {
  let t: TestApp;
  let limited: string;
  let open: App;
  let openAddress: string;

  before(async () => {
    t = await startTestApp('limits', { RATE_LIMIT_PER_MINUTE: '3' });
    limited = await t.app.listen({ port: 0, host: '127.0.0.1' });
    // The same warehouse behind the default limits, for the tests that are not about rate limits.
    open = await buildApp({ config: { ...t.config, server: { ...t.config.server, rateLimitPerMinute: 0 } }, warehouse: t.wh, logger: false });
    openAddress = await open.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await open.close();
    await t.close();
  });

  it('limits each API key per minute with 429, Retry-After and the error shape; other keys and health routes are unaffected', async () => {
    const a = await t.keyFor('analyst', 'rl_a');
    const b = await t.keyFor('analyst', 'rl_b');
    const get = (key: string, lang = 'en') => fetch(`${limited}/v1/workspace`, { headers: { ...bearer(key), 'accept-language': lang } });
    for (let i = 0; i < 3; i++) {
      const res = await get(a);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-ratelimit-remaining'), String(2 - i));
    }
    const over = await get(a);
    assert.equal(over.status, 429);
    const retryAfter = Number(over.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.deepEqual(await over.json(), {
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `too many requests: at most 3 a minute per API key; retry in ${retryAfter} s`,
    });
    const zh = await get(a, 'zh-CN');
    assert.equal(zh.status, 429);
    assert.match(((await zh.json()) as { message: string }).message, /^请求过于频繁：每个 API 密钥每分钟最多 3 次，请 \d+ 秒后重试$/);

    assert.equal((await get(b)).status, 200, 'another key has its own allowance');
    for (const route of ['/healthz', '/healthz', '/healthz', '/healthz', '/readyz', '/metrics']) {
      assert.equal((await fetch(`${limited}${route}`, { headers: bearer(a) })).status, 200, `${route} is exempt`);
    }
  });

  it('counts calls without a valid key by IP, so made-up tokens get no fresh allowance', async () => {
    const statuses: number[] = [];
    for (const token of [undefined, 'smsp_000000000000_made-up', undefined, 'another-made-up-token']) {
      const res = await fetch(`${limited}/v1/workspace`, { headers: token ? bearer(token) : {} });
      statuses.push(res.status);
      if (res.status === 429) assert.equal(((await res.json()) as { code: string }).code, 'RATE_LIMITED');
    }
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    assert.equal(
      (await fetch(`${limited}/v1/workspace`, { headers: bearer(await t.keyFor('analyst', 'rl_c')) })).status,
      200,
      'a valid key is counted on its own',
    );
  });

  it('answers oversized request headers with 431 HEADERS_TOO_LARGE in the error shape, and non-HTTP bytes with a 400', async () => {
    const big = 'x'.repeat(64 * 1024);
    const raw = await rawExchange(openAddress, `GET /healthz HTTP/1.1\r\nHost: localhost\r\nAccept-Language: en\r\nX-Big: ${big}\r\n\r\n`);
    assert.equal(raw.status, 431);
    assert.match(raw.headers, /content-type: application\/json/i);
    assert.deepEqual(JSON.parse(raw.body), { statusCode: 431, code: 'HEADERS_TOO_LARGE', message: 'request headers are larger than 16384 bytes' });

    const viaFetch = await fetch(`${openAddress}/healthz`, { headers: { 'x-big': big } });
    assert.equal(viaFetch.status, 431);
    assert.deepEqual(await viaFetch.json(), { statusCode: 431, code: 'HEADERS_TOO_LARGE', message: '请求头超过 16384 字节' });

    const garbage = await rawExchange(openAddress, 'HELLO THERE\r\n\r\n');
    assert.equal(garbage.status, 400);
    assert.deepEqual(JSON.parse(garbage.body), { statusCode: 400, code: 'BAD_REQUEST', message: '请求不是有效的 HTTP' });
  });

  it('a 415 names the content types the route accepts', async () => {
    const admin = await t.keyFor('admin', 'ct');
    const post = (path: string, type: string, lang = 'en') =>
      fetch(`${openAddress}${path}`, { method: 'POST', headers: { ...bearer(admin), 'accept-language': lang, 'content-type': type }, body: '<x/>' });
    const xml = await post('/v1/segments', 'application/xml');
    assert.equal(xml.status, 415);
    assert.deepEqual(await xml.json(), {
      statusCode: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'content type application/xml is not accepted here; send application/json, application/x-ndjson, application/ndjson, application/jsonl',
    });
    // Text is not JSON: fastify's default text/plain parser is off for JSON routes.
    assert.equal((await post('/v1/segments', 'text/plain')).status, 415);
    const zh = (await (await post('/v1/events', 'application/xml', 'zh-CN')).json()) as { message: string };
    assert.equal(zh.message, '此处不接受内容类型 application/xml；请使用 application/json、application/x-ndjson、application/ndjson、application/jsonl');
    // The import route takes files.
    const file = (await (await post('/v1/contacts/import', 'image/png')).json()) as { message: string };
    assert.match(
      file.message,
      /^content type image\/png is not accepted here; send .*text\/plain, text\/csv, application\/csv, application\/octet-stream, application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet/,
    );
  });

  it('POST /v1/alerts/evaluate takes at most 92 days, from before to', async () => {
    const analyst = await t.keyFor('analyst', 'ev');
    const evaluate = (payload: object) => open.inject({ method: 'POST', url: '/v1/alerts/evaluate', headers: bearer(analyst), payload });
    const day = 86_400_000;
    const to = Date.parse(`${FIXTURE_YEAR}-03-01T00:00:00Z`);
    const iso = (ms: number) => new Date(ms).toISOString();
    const tooLong = await evaluate({ from: iso(to - 92 * day - 3600_000), to: iso(to) });
    assert.equal(tooLong.statusCode, 400);
    assert.deepEqual(tooLong.json(), {
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: 'body.from: the range may span at most 92 days',
      field: 'body.from',
    });
    const reversed = await evaluate({ from: iso(to), to: iso(to - day) });
    assert.deepEqual([reversed.statusCode, reversed.json().field, reversed.json().message], [400, 'body.to', 'body.to: must be after body.from']);
    const fromOnly = await evaluate({ from: iso(Date.now() - 100 * day) });
    assert.deepEqual([fromOnly.statusCode, fromOnly.json().field], [400, 'body.from'], 'to defaults to the last complete hour');
    const futureFrom = await evaluate({ from: iso(Date.now() + day) });
    assert.deepEqual([futureFrom.statusCode, futureFrom.json().field], [400, 'body.from']);
    const longest = await evaluate({ from: iso(to - 92 * day), to: iso(to) });
    assert.equal(longest.statusCode, 200, longest.body);
    assert.deepEqual(longest.json().evaluated, { from: iso(to - 92 * day), to: iso(to) });
  });
});
