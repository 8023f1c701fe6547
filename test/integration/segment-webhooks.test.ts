/**
 * Segment webhooks through a real listener and a real receiving HTTP server on 127.0.0.1 (the operator's policy
 * allows it): each new audience version is posted as a signed notice whose signature the test verifies with its
 * own HMAC, whose added/removed counts equal the set difference of the two exports computed here and whose links
 * answer; retries with backoff until delivered, recorded per delivery; refused URLs, other workspaces, roles,
 * the per-segment limit, and secrets that are never read back.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { buildApp, type App } from '../../api/app.ts';
import type { WebhookConfig } from '../../config/config.ts';
import { checkResponsesAgainstHandlers } from '../helpers/response-check.ts';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
}

/** A local receiver; `answer(n)` gives the status of the n-th request (from 1), after `hold` resolves. */
async function receiver(answer: (n: number) => number = () => 200) {
  const received: Received[] = [];
  let hold: Promise<void> = Promise.resolve();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, raw });
      const status = answer(received.length);
      void hold.then(() => {
        res.statusCode = status;
        res.end('ok');
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/smsp?team=crm`,
    /** Answers wait until the returned function is called. */
    holdAnswers: () => {
      let release!: () => void;
      hold = new Promise((r) => (release = r));
      return release;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The receiver's side of the signature scheme, written from the documented format only. */
function verifySignature(secret: string, raw: string, header: string | string[] | undefined): boolean {
  const parts = Object.fromEntries(
    String(header ?? '')
      .split(',')
      .map((kv) => kv.split('=') as [string, string]),
  );
  if (!parts.t || !parts.v1) return false;
  const expected = crypto.createHmac('sha256', secret).update(`${parts.t}.${raw}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

const until = async (what: () => boolean | Promise<boolean>, ms = 15_000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (await what()) return;
  throw new Error('timed out waiting');
};

/** http to 127.0.0.0/8 allowed; retries 20 ms, 40 ms, 80 ms apart. */
const LOCAL: WebhookConfig = { allowHttp: true, allowedNetworks: ['127.0.0.0/8'], timeoutMs: 10_000, retry: { attempts: 4, baseDelayMs: 20 } };
const WS = 'seg_hooks';

describe('segment webhooks', () => {
  let t: TestApp; // the strict default policy (https only, no private networks)
  let local: App;
  let base: string;
  const keys: Record<string, string> = {};

  const api = async (method: string, path: string, body?: unknown, key = keys.marketer!) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...bearer(key), ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      json: text && /^application\/json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined,
    };
  };
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await api(method, path, body);
    assert.ok(res.status === 200 || res.status === 201, `${method} ${path}: ${res.status} ${res.text}`);
    return res.json;
  };
  /** A snapshot's sendable members read through the export route. */
  const exported = async (audienceId: string, version: number) => {
    const res = await api('GET', `/v1/audiences/${audienceId}/export?version=${version}&fields=user_id&limit=100000`);
    assert.equal(res.status, 200);
    return new Set(
      res.text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).user_id as string),
    );
  };
  const newSegment = async (name: string, tag: string) => (await ok('POST', '/v1/segments', { name, rule: { tag } })).id as string;

  before(async () => {
    t = await startTestApp('segment_webhooks');
    local = await buildApp({ config: { ...t.config, webhooks: LOCAL }, warehouse: t.wh, logger: false });
    checkResponsesAgainstHandlers(local);
    base = await local.listen({ port: 0, host: '127.0.0.1' });
    for (const role of ['admin', 'marketer', 'analyst', 'sender'] as const) keys[role] = await t.keyFor(role, WS);
    keys.otherAdmin = await t.keyFor('admin', 'seg_hooks_other');
    // u00-u29 with phones, u30-u31 without (matched but never sendable).
    const users = Array.from({ length: 32 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    await ok(
      'POST',
      '/v1/contacts',
      users.map((u, i) => ({ user_id: u, ...(i < 30 && { phone: `139000000${String(i).padStart(2, '0')}` }) })),
    );
    await ok('POST', '/v1/tags', { assignments: users.slice(0, 20).map((user_id) => ({ user_id, tag: 'hot' })) });
  });
  after(async () => {
    await local.close();
    await t.close();
  });

  it('materialize twice with a tag change between: two signed notices, counts equal to the exports’ set difference, links that answer, deliveries listed', async () => {
    const r = await receiver();
    try {
      const segmentId = await newSegment('hot', 'hot');
      const created = await api('POST', `/v1/segments/${segmentId}/webhooks`, { url: r.url, description: 'crm sender' });
      assert.equal(created.status, 201, created.text);
      const { id: webhookId, secret } = created.json as { id: string; secret: string };
      assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(
        { ...created.json, id: undefined, secret: undefined, created_at: undefined, created_by: undefined },
        { id: undefined, secret: undefined, created_at: undefined, created_by: undefined, segment_id: segmentId, url: r.url, description: 'crm sender' },
      );

      // The answer to materialize does not wait for the receiver, which holds its answer until released.
      const release = r.holdAnswers();
      const v1 = await Promise.race([
        ok('POST', `/v1/segments/${segmentId}/materialize`, {}),
        new Promise((_, reject) => setTimeout(() => reject(new Error('materialize waited for the webhook')), 20_000).unref()),
      ]);
      assert.deepEqual([(v1 as { version: number }).version, (v1 as { size: number }).size], [1, 20]);
      await until(() => r.received.length === 1);
      const pending = await ok('GET', `/v1/segments/${segmentId}/webhooks/${webhookId}/deliveries`);
      assert.equal(pending.deliveries[0].finished_at, null, 'listed while it is being tried');
      release();
      await until(async () => (await ok('GET', `/v1/segments/${segmentId}/webhooks/${webhookId}/deliveries`)).deliveries[0].finished_at !== null);

      // u00-u04 cool down, u20-u31 warm up (u30 and u31 have no phone: matched, never added).
      await ok('POST', '/v1/tags', {
        assignments: Array.from({ length: 12 }, (_, i) => ({ user_id: `u${20 + i}`, tag: 'hot' })),
        removals: Array.from({ length: 5 }, (_, i) => ({ user_id: `u0${i}`, tag: 'hot' })),
      });
      const v2 = await ok('POST', `/v1/segments/${segmentId}/materialize`, {});
      assert.equal(v2.version, 2);
      await until(() => r.received.length === 2);

      const [first, second] = r.received.map((x) => ({ ...x, body: JSON.parse(x.raw) }));
      for (const got of [first!, second!]) {
        assert.equal(got.path, '/hooks/smsp?team=crm');
        assert.equal(got.headers['x-smsp-event'], 'audience.version');
        assert.equal(got.headers['content-type'], 'application/json');
        assert.equal(got.headers['idempotency-key'], got.body.id);
        assert.match(String(got.headers['x-smsp-signature']), /^t=\d+,v1=[0-9a-f]{64}$/);
        assert.ok(verifySignature(secret, got.raw, got.headers['x-smsp-signature']), 'the signature verifies with the secret shown once');
        assert.ok(!verifySignature(secret, got.raw.replace('"size":', '"size":1'), got.headers['x-smsp-signature']), 'a tampered body fails');
      }
      assert.notEqual(first!.body.id, second!.body.id, 'each delivery has its own id');

      // The first version: everyone is new.
      assert.deepEqual(first!.body, {
        id: first!.body.id,
        event: 'audience.version',
        workspace: WS,
        segment_id: segmentId,
        audience_id: segmentId,
        version: 1,
        previous_version: null,
        size: 20,
        added: 20,
        removed: 0,
        created_at: first!.body.created_at,
        links: { export: `/v1/audiences/${segmentId}/export?version=1`, diff: null },
      });
      assert.ok(Date.parse(first!.body.created_at) > Date.now() - 120_000);

      // The second: the set difference of the two exports, computed here.
      const [older, newer] = [await exported(segmentId, 1), await exported(segmentId, 2)];
      const added = [...newer].filter((u) => !older.has(u));
      const removed = [...older].filter((u) => !newer.has(u));
      assert.deepEqual([added.length, removed.length], [10, 5], 'the fixture changes what it says it changes');
      assert.equal(second!.body.previous_version, 1);
      assert.equal(second!.body.size, newer.size);
      assert.deepEqual([second!.body.added, second!.body.removed], [added.length, removed.length]);
      assert.deepEqual(second!.body.links, {
        export: `/v1/audiences/${segmentId}/export?version=2`,
        diff: `/v1/audiences/${segmentId}/diff?from=1&to=2`,
      });

      // The links answer: the export is the newer snapshot, the diff lists exactly the changed members.
      const exportPage = await api('GET', `${second!.body.links.export}&fields=user_id`, undefined, keys.sender);
      assert.equal(exportPage.status, 200);
      assert.equal(exportPage.text.trim().split('\n').length, newer.size);
      const diff = await api('GET', `${second!.body.links.diff}&fields=user_id`, undefined, keys.sender);
      assert.equal(diff.status, 200);
      assert.equal(diff.headers.get('x-added-count'), String(added.length));
      assert.equal(diff.headers.get('x-removed-count'), String(removed.length));
      const rows = diff.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { change: string; user_id: string });
      assert.deepEqual(
        rows
          .filter((x) => x.change === 'added')
          .map((x) => x.user_id)
          .sort(),
        added.sort(),
      );
      assert.deepEqual(
        rows
          .filter((x) => x.change === 'removed')
          .map((x) => x.user_id)
          .sort(),
        removed.sort(),
      );

      // Deliveries: newest first, each delivered at the first attempt, in pages.
      const listed = await ok('GET', `/v1/segments/${segmentId}/webhooks/${webhookId}/deliveries`);
      assert.deepEqual(
        listed.deliveries.map((d: Record<string, unknown>) => [d.delivery_id, d.event, d.audience_version, d.attempts, d.delivered, d.status, d.error]),
        [
          [second!.body.id, 'audience.version', 2, 1, true, 200, null],
          [first!.body.id, 'audience.version', 1, 1, true, 200, null],
        ],
      );
      const page1 = await ok('GET', `/v1/segments/${segmentId}/webhooks/${webhookId}/deliveries?limit=1`);
      assert.deepEqual([page1.deliveries.length, page1.deliveries[0].delivery_id], [1, second!.body.id]);
      const page2 = await ok('GET', `/v1/segments/${segmentId}/webhooks/${webhookId}/deliveries?limit=1&cursor=${page1.next_cursor}`);
      assert.deepEqual([page2.deliveries[0].delivery_id, page2.next_cursor], [first!.body.id, null]);

      // The secret is never read back.
      const list = await api('GET', `/v1/segments/${segmentId}/webhooks`);
      assert.equal(list.status, 200);
      assert.equal(list.json.webhooks.length, 1);
      assert.equal(list.json.webhooks[0].url, r.url);
      assert.ok(!list.text.includes(secret) && !list.text.includes('whsec_') && !('secret' in list.json.webhooks[0]));
      assert.ok(!listed.deliveries.some((d: object) => JSON.stringify(d).includes('whsec_')));
    } finally {
      await r.close();
    }
  });

  it('a receiver answering 500 twice then 200 gets 3 attempts with one idempotency key; the delivery shows delivered after 3', async () => {
    const r = await receiver((n) => (n <= 2 ? 500 : 200));
    try {
      const segmentId = await newSegment('retry', 'hot');
      const { id: webhookId, secret } = await ok('POST', `/v1/segments/${segmentId}/webhooks`, { url: r.url });
      await ok('POST', `/v1/segments/${segmentId}/materialize`, {});
      const deliveries = async () => (await ok('GET', `/v1/segments/${segmentId}/webhooks/${webhookId}/deliveries`)).deliveries;
      await until(async () => (await deliveries())[0]?.finished_at != null);
      const [delivery] = await deliveries();
      assert.deepEqual([delivery.attempts, delivery.delivered, delivery.status, delivery.error], [3, true, 200, null]);
      assert.equal(r.received.length, 3);
      const bodies = new Set(r.received.map((x) => x.raw));
      assert.equal(bodies.size, 1, 'the same notice every time');
      assert.deepEqual(new Set(r.received.map((x) => x.headers['idempotency-key'])), new Set([delivery.delivery_id]));
      for (const x of r.received) assert.ok(verifySignature(secret, x.raw, x.headers['x-smsp-signature']));
    } finally {
      await r.close();
    }
  });

  it('a notice counts against the previous readable version (a deleted one is skipped); a removed webhook gets nothing', async () => {
    const kept = await receiver();
    const removedReceiver = await receiver();
    try {
      const segmentId = await newSegment('skips', 'warm');
      await ok('POST', '/v1/tags', { assignments: ['u00', 'u01', 'u02'].map((user_id) => ({ user_id, tag: 'warm' })) });
      const v1 = await ok('POST', `/v1/segments/${segmentId}/materialize`, {});
      await ok('POST', '/v1/tags', { assignments: [{ user_id: 'u03', tag: 'warm' }] });
      const v2 = await ok('POST', `/v1/segments/${segmentId}/materialize`, {});
      assert.equal((await api('DELETE', `/v1/audiences/${segmentId}/versions/${v2.version}`)).status, 204);
      // Webhooks added now: only the next version is announced to them.
      await ok('POST', `/v1/segments/${segmentId}/webhooks`, { url: kept.url });
      const gone = await ok('POST', `/v1/segments/${segmentId}/webhooks`, { url: removedReceiver.url });
      assert.equal((await api('DELETE', `/v1/segments/${segmentId}/webhooks/${gone.id}`)).status, 204);
      await ok('POST', '/v1/tags', {
        assignments: [{ user_id: 'u04', tag: 'warm' }],
        removals: [{ user_id: 'u00', tag: 'warm' }],
      });
      const v3 = await ok('POST', `/v1/segments/${segmentId}/materialize`, {});
      await until(() => kept.received.length === 1);
      const body = JSON.parse(kept.received[0]!.raw);
      const [older, newer] = [await exported(segmentId, v1.version), await exported(segmentId, v3.version)];
      assert.deepEqual(
        [body.version, body.previous_version, body.size, body.added, body.removed],
        [v3.version, v1.version, newer.size, [...newer].filter((u) => !older.has(u)).length, [...older].filter((u) => !newer.has(u)).length],
      );
      assert.deepEqual([body.added, body.removed], [2, 1], 'u03 and u04 in, u00 out since version 1');
      assert.equal(body.links.diff, `/v1/audiences/${segmentId}/diff?from=${v1.version}&to=${v3.version}`);
      // Both deliveries would have started together; give a stray one a moment to land.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(removedReceiver.received.length, 0, 'a removed webhook is not notified');
    } finally {
      await kept.close();
      await removedReceiver.close();
    }
  });

  it('a receiver that keeps failing: every attempt used, recorded as not delivered with the last answer', async () => {
    const r = await receiver(() => 503);
    try {
      const segmentId = await newSegment('failing', 'hot');
      const { id: webhookId } = await ok('POST', `/v1/segments/${segmentId}/webhooks`, { url: r.url });
      await ok('POST', `/v1/segments/${segmentId}/materialize`, {});
      const path = `/v1/segments/${segmentId}/webhooks/${webhookId}/deliveries`;
      await until(async () => (await ok('GET', path)).deliveries[0]?.finished_at != null);
      const [d] = (await ok('GET', path)).deliveries;
      assert.deepEqual([d.attempts, d.delivered, d.status, d.error], [4, false, 503, 'HTTP 503']);
      assert.equal(r.received.length, 4);
    } finally {
      await r.close();
    }
  });

  it('test sends a signed ping, answers its outcome and lists it; delete removes the webhook', async () => {
    const r = await receiver();
    try {
      const segmentId = await newSegment('ping', 'hot');
      const { id: webhookId, secret } = await ok('POST', `/v1/segments/${segmentId}/webhooks`, { url: r.url });
      const pinged = await ok('POST', `/v1/segments/${segmentId}/webhooks/${webhookId}/test`);
      assert.deepEqual([pinged.event, pinged.attempts, pinged.delivered, pinged.status, pinged.audience_version], ['ping', 1, true, 200, null]);
      assert.equal(r.received.length, 1);
      const got = r.received[0]!;
      assert.equal(got.headers['x-smsp-event'], 'ping');
      assert.ok(verifySignature(secret, got.raw, got.headers['x-smsp-signature']));
      assert.deepEqual(
        { ...JSON.parse(got.raw), created_at: undefined },
        { event: 'ping', id: pinged.delivery_id, workspace: WS, segment_id: segmentId, webhook_id: webhookId, created_at: undefined },
      );
      const listed = await ok('GET', `/v1/segments/${segmentId}/webhooks/${webhookId}/deliveries`);
      assert.deepEqual(listed.deliveries, [pinged]);

      assert.equal((await api('DELETE', `/v1/segments/${segmentId}/webhooks/${webhookId}`)).status, 204);
      assert.deepEqual((await ok('GET', `/v1/segments/${segmentId}/webhooks`)).webhooks, []);
      assert.equal((await api('DELETE', `/v1/segments/${segmentId}/webhooks/${webhookId}`)).status, 404);
      assert.equal((await api('GET', `/v1/segments/${segmentId}/webhooks/${webhookId}/deliveries`)).status, 404);
    } finally {
      await r.close();
    }
  });

  it('refuses URLs the outbound policy refuses with a 400 naming body.url', async () => {
    const segmentId = await newSegment('refused', 'hot');
    for (const url of [
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.8/hook',
      'https://[::ffff:a9fe:a9fe]/',
      'ftp://hooks.example.com/',
      'not a url',
    ]) {
      const res = await api('POST', `/v1/segments/${segmentId}/webhooks`, { url });
      assert.equal(res.status, 400, `${url}: ${res.text}`);
      assert.deepEqual([res.json.code, res.json.field], ['VALIDATION_FAILED', 'body.url'], url);
    }
    // The strict default policy refuses the local http receiver the operator allowed above.
    const strict = await t.app.inject({
      method: 'POST',
      url: `/v1/segments/${segmentId}/webhooks`,
      headers: bearer(keys.marketer!),
      payload: { url: 'http://127.0.0.1:9/hook' },
    });
    assert.equal(strict.statusCode, 400);
    assert.equal(strict.json().field, 'body.url');
    assert.match(strict.json().message, /must use https/);
    const missing = await api('POST', `/v1/segments/${segmentId}/webhooks`, { description: 'no url' });
    assert.equal(missing.status, 400);
    assert.deepEqual((await ok('GET', `/v1/segments/${segmentId}/webhooks`)).webhooks, [], 'nothing saved');
  });

  it('another workspace’s segment or webhook is missing (404); another segment’s webhook too; readers and senders are refused', async () => {
    const segmentId = await newSegment('mine', 'hot');
    const otherSegment = await newSegment('mine too', 'hot');
    const { id: webhookId } = await ok('POST', `/v1/segments/${segmentId}/webhooks`, { url: 'https://hooks.example.com/a' });
    const paths: [string, string, unknown?][] = [
      ['POST', `/v1/segments/${segmentId}/webhooks`, { url: 'https://hooks.example.com/b' }],
      ['GET', `/v1/segments/${segmentId}/webhooks`],
      ['GET', `/v1/segments/${segmentId}/webhooks/${webhookId}/deliveries`],
      ['POST', `/v1/segments/${segmentId}/webhooks/${webhookId}/test`],
      ['DELETE', `/v1/segments/${segmentId}/webhooks/${webhookId}`],
    ];
    for (const [method, path, body] of paths) {
      const other = await api(method, path, body, keys.otherAdmin);
      assert.equal(other.status, 404, `${method} ${path} from another workspace: ${other.text}`);
      assert.equal(other.json.code, 'NOT_FOUND');
      for (const role of ['analyst', 'sender']) assert.equal((await api(method, path, body, keys[role])).status, 403, `${role} ${method} ${path}`);
    }
    for (const [method, path, body] of paths.slice(2)) {
      const wrongSegment = await api(method, path.replace(segmentId, otherSegment), body);
      assert.equal(wrongSegment.status, 404, `${method} through another segment`);
    }
    assert.equal((await api('GET', `/v1/segments/no-such-segment/webhooks`)).status, 404);
    // Still there for its own workspace and segment.
    assert.equal((await ok('GET', `/v1/segments/${segmentId}/webhooks`)).webhooks.length, 1);
  });

  it('a segment takes at most 10 webhooks (409 WEBHOOK_LIMIT)', async () => {
    const segmentId = await newSegment('many', 'hot');
    for (let i = 0; i < 10; i++) await ok('POST', `/v1/segments/${segmentId}/webhooks`, { url: `https://hooks.example.com/${i}` });
    const refused = await api('POST', `/v1/segments/${segmentId}/webhooks`, { url: 'https://hooks.example.com/10' });
    assert.equal(refused.status, 409);
    assert.equal(refused.json.code, 'WEBHOOK_LIMIT');
    assert.equal((await ok('GET', `/v1/segments/${segmentId}/webhooks`)).webhooks.length, 10);
  });
});
