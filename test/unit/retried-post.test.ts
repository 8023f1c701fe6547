/**
 * The shared retry loop of outbound webhooks (notify/retried-post.ts) against a local receiver: retried until
 * delivered, with the same idempotency key and a fresh signature each time; progress reported between attempts;
 * a target the policy refuses is tried once; attempts are bounded.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { outboundPolicy } from '../../notify/outbound-policy.ts';
import { postWithRetry, type RetriedOutcome } from '../../notify/retried-post.ts';

describe('postWithRetry', () => {
  const statuses: number[] = [];
  const seen: http.IncomingHttpHeaders[] = [];
  const bodies: string[] = [];
  let url = '';
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      seen.push(req.headers);
      bodies.push(raw);
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/in`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  const policy = outboundPolicy({ allowHttp: true, allowedNetworks: ['127.0.0.1/32'], timeoutMs: 2000 });
  const delivery = (u: string) => ({ url: u, body: '{"a":1}', secret: 'whsec_test', event: 'ping', idempotencyKey: 'dlv_1' });

  it('retries failed answers until delivered, reporting each failed attempt, with one idempotency key and valid signatures', async () => {
    statuses.push(500, 502);
    seen.length = 0;
    bodies.length = 0;
    const progress: RetriedOutcome[] = [];
    const result = await postWithRetry(policy, delivery(url), { attempts: 5, baseDelayMs: 1 }, async (p) => void progress.push(p));
    assert.deepEqual(result, { attempts: 3, outcome: { delivered: true, status: 200 } });
    assert.deepEqual(
      progress.map((p) => [p.attempts, p.outcome.status]),
      [
        [1, 500],
        [2, 502],
      ],
    );
    assert.deepEqual(
      seen.map((h) => [h['idempotency-key'], h['x-smsp-event'], h['content-type']]),
      Array(3).fill(['dlv_1', 'ping', 'application/json']),
    );
    for (const [i, h] of seen.entries()) {
      const { t, v1 } = Object.fromEntries(
        String(h['x-smsp-signature'])
          .split(',')
          .map((kv) => kv.split('=')),
      ) as { t: string; v1: string };
      assert.equal(crypto.createHmac('sha256', 'whsec_test').update(`${t}.${bodies[i]}`).digest('hex'), v1);
    }
  });

  it('stops after the last attempt with its outcome', async () => {
    statuses.push(503, 503, 503);
    seen.length = 0;
    const result = await postWithRetry(policy, delivery(url), { attempts: 2, baseDelayMs: 1 });
    assert.deepEqual(result, { attempts: 2, outcome: { delivered: false, status: 503, permanent: false, reason: 'HTTP 503' } });
    assert.equal(seen.length, 2);
    statuses.length = 0;
  });

  it('a target the policy refuses is tried once and never reached', async () => {
    seen.length = 0;
    const strict = outboundPolicy({ allowHttp: true, allowedNetworks: [], timeoutMs: 2000 });
    const progress: RetriedOutcome[] = [];
    const result = await postWithRetry(strict, delivery(url), { attempts: 4, baseDelayMs: 1 }, async (p) => void progress.push(p));
    assert.equal(result.attempts, 1);
    assert.equal(result.outcome.delivered, false);
    assert.match((result.outcome as { reason: string }).reason, /127\.0\.0\.1 is loopback/);
    assert.deepEqual([seen.length, progress.length], [0, 0]);
  });
});
