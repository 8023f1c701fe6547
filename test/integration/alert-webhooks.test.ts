import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { deliverAlertWebhook } from '../../analytics/alert-webhooks.ts';
import type { Alert } from '../../analytics/alert-types.ts';
import { alertsStore, rulesStore } from '../../analytics/alerts.ts';
import { buildApp, type App } from '../../api/app.ts';
import { loadConfig, ConfigError, type WebhookConfig } from '../../config/config.ts';
import { postUnderPolicy } from '../../notify/http-post.ts';
import { blockedRange, outboundPolicy } from '../../notify/outbound-policy.ts';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
}

/** A local receiver; `answer` decides the reply (default 200 "ok"). */
async function receiver(answer?: (req: http.IncomingMessage, res: http.ServerResponse, raw: string) => void) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, raw });
      if (answer) answer(req, res, raw);
      else res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    received,
    port,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The receiver's side of the signature scheme, written from the documented format only. */
function verifySignature(secret: string, raw: string, header: string | undefined): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
  if (!parts.t || !parts.v1) return false;
  const expected = crypto.createHmac('sha256', secret).update(`${parts.t}.${raw}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

const HTTP_ONLY: WebhookConfig = { allowHttp: true, allowedNetworks: [], timeoutMs: 2000 };
const LOCAL_ALLOWED: WebhookConfig = { allowHttp: true, allowedNetworks: ['127.0.0.0/8'], timeoutMs: 2000 };
const until = async (what: () => Promise<boolean>, ms = 10_000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (await what()) return;
  throw new Error('timed out waiting');
};

describe('alert webhooks: outbound policy and signatures', () => {
  let t: TestApp; // default configuration: https only, no private networks
  let local: App; // the same warehouse, operator allows http and 127.0.0.0/8
  let localUrl: string;
  before(async () => {
    t = await startTestApp('alert_webhooks');
    local = await buildApp({ config: { ...t.config, webhooks: LOCAL_ALLOWED }, warehouse: t.wh, logger: false });
    localUrl = await local.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await local.close();
    await t.close();
  });

  const rule = (webhook_url: string) => ({ name: 'hook', metric: 'delivery_rate', kind: 'threshold', threshold: { below: 0.9 }, webhook_url });

  it('refuses at save, with a 400 naming body.webhook_url, URLs that point inward, use http or carry credentials', async () => {
    const admin = await t.keyFor('admin', 'wh_save');
    const refused = [
      'https://127.0.0.1/hook',
      'https://127.1.2.3:8443/hook',
      'https://0x7f.1/hook', // hex form of 127.0.0.1
      'https://2130706433/hook', // decimal form of 127.0.0.1
      'https://0.0.0.0/',
      'https://10.0.0.5/',
      'https://172.16.3.4/',
      'https://192.168.1.1/',
      'https://169.254.169.254/latest/meta-data/', // cloud metadata
      'https://100.64.0.1/',
      'https://224.0.0.1/',
      'https://[::1]/',
      'https://[::]/',
      'https://[fe80::1]/',
      'https://[fd00::2]/',
      'https://[::ffff:127.0.0.1]/', // IPv4-mapped IPv6
      'https://[::ffff:a9fe:a9fe]/', // mapped 169.254.169.254
      'https://[64:ff9b::a00:1]/', // NAT64 of 10.0.0.1
      'http://hooks.example.com/', // http not allowed by default
      'https://user:pass@hooks.example.com/',
      'ftp://hooks.example.com/',
    ];
    for (const url of refused) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/alert-rules', headers: bearer(admin), payload: rule(url) });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal(res.json().field, 'body.webhook_url', url);
      assert.equal(res.json().code, 'VALIDATION_FAILED', url);
    }
    assert.match(
      (await t.app.inject({ method: 'POST', url: '/v1/alert-rules', headers: bearer(admin), payload: rule('https://[::1]/') })).json().message,
      /::1 is loopback/,
    );
    // A PUT is checked the same way.
    const ok = await t.app.inject({ method: 'POST', url: '/v1/alert-rules', headers: bearer(admin), payload: rule('https://hooks.example.com/a') });
    assert.equal(ok.statusCode, 201, ok.body);
    const put = await t.app.inject({ method: 'PUT', url: `/v1/alert-rules/${ok.json().id}`, headers: bearer(admin), payload: rule('https://192.168.0.10/') });
    assert.equal(put.statusCode, 400);
    assert.equal(put.json().field, 'body.webhook_url');
  });

  it('through a real listener: the operator’s allowance lets a local http receiver be saved; the strict default still refuses it', async () => {
    const admin = await t.keyFor('admin', 'wh_save');
    const strict = await buildApp({ config: t.config, warehouse: t.wh, logger: false });
    const strictUrl = await strict.listen({ port: 0, host: '127.0.0.1' });
    try {
      const refused = await fetch(`${strictUrl}/v1/alert-rules`, {
        method: 'POST',
        headers: { ...bearer(admin), 'content-type': 'application/json' },
        body: JSON.stringify(rule('http://127.0.0.1:9/hook')),
      });
      assert.equal(refused.status, 400);
      assert.equal(((await refused.json()) as { field: string }).field, 'body.webhook_url');
    } finally {
      await strict.close();
    }
    const allowed = await fetch(`${localUrl}/v1/alert-rules`, {
      method: 'POST',
      headers: { ...bearer(admin), 'content-type': 'application/json' },
      body: JSON.stringify(rule('http://127.0.0.1:9/hook')),
    });
    assert.equal(allowed.status, 201);
    // Allowed networks are exact: 10/8 is still refused.
    const other = await fetch(`${localUrl}/v1/alert-rules`, {
      method: 'POST',
      headers: { ...bearer(admin), 'content-type': 'application/json' },
      body: JSON.stringify(rule('http://10.0.0.1/hook')),
    });
    assert.equal(other.status, 400);
  });

  it('a signing secret is made when a webhook is first saved, shown once, kept across edits, never listed, and can be replaced', async () => {
    const admin = await t.keyFor('admin', 'wh_secret');
    const plain = await t.app.inject({
      method: 'POST',
      url: '/v1/alert-rules',
      headers: bearer(admin),
      payload: { name: 'no hook', metric: 'click_rate', kind: 'threshold', threshold: { below: 0.01 } },
    });
    assert.equal(plain.json().webhook_secret, undefined, 'no webhook, no secret');
    const created = (
      await t.app.inject({ method: 'POST', url: '/v1/alert-rules', headers: bearer(admin), payload: rule('https://hooks.example.com/a') })
    ).json();
    assert.match(created.webhook_secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.spec.webhook_secret, undefined);
    const edited = (
      await t.app.inject({ method: 'PUT', url: `/v1/alert-rules/${created.id}`, headers: bearer(admin), payload: rule('https://hooks.example.com/b') })
    ).json();
    assert.equal(edited.webhook_secret, undefined, 'an edit keeps the secret and does not show it again');
    assert.equal(edited.spec.webhook_url, 'https://hooks.example.com/b');
    // Adding a webhook to a rule that had none makes a secret at that moment.
    const added = (
      await t.app.inject({
        method: 'PUT',
        url: `/v1/alert-rules/${plain.json().id}`,
        headers: bearer(admin),
        payload: { ...rule('https://hooks.example.com/c'), metric: 'click_rate' },
      })
    ).json();
    assert.match(added.webhook_secret, /^whsec_/);
    const listed = await t.app.inject({ method: 'GET', url: '/v1/alert-rules', headers: bearer(await t.keyFor('marketer', 'wh_secret')) });
    assert.ok(!listed.body.includes('whsec_'), 'no secret in the listing');
    assert.equal(listed.json().rules.filter((r: { spec: { webhook_url?: string } }) => r.spec.webhook_url).length, 2);
    // The stored secret is the one shown at creation (the edit kept it).
    assert.equal((await rulesStore(t.wh).get('wh_secret', created.id))!.spec.webhook_secret, created.webhook_secret);
    const rotated = await t.app.inject({ method: 'POST', url: `/v1/alert-rules/${created.id}/webhook-secret`, headers: bearer(admin) });
    assert.equal(rotated.statusCode, 200);
    assert.match(rotated.json().webhook_secret, /^whsec_/);
    assert.notEqual(rotated.json().webhook_secret, created.webhook_secret);
    assert.equal(
      (await t.app.inject({ method: 'POST', url: `/v1/alert-rules/${created.id}/webhook-secret`, headers: bearer(await t.keyFor('marketer', 'wh_secret')) }))
        .statusCode,
      403,
    );
    assert.equal(
      (await t.app.inject({ method: 'POST', url: `/v1/alert-rules/${created.id}/webhook-secret`, headers: bearer(await t.keyFor('admin', 'wh_other')) }))
        .statusCode,
      404,
      'another workspace’s rule is missing',
    );
  });

  it('a host name resolving to a loopback address is refused at delivery (recorded, never retried, never connected), and delivered when the operator allows it', async () => {
    const r = await receiver();
    const ws = 'wh_dns';
    try {
      const alert = await alertsStore(t.wh).save(ws, {
        name: 'x',
        spec: {
          rule_id: 'r1',
          metric: 'delivery_rate',
          kind: 'threshold',
          bucket: `${FIXTURE_YEAR}-11-18T00:00:00.000Z`,
          observed: 0.5,
          expected_low: 0.9,
          expected_high: null,
          volume: 150,
          status: 'open',
          fired_at: `${FIXTURE_YEAR}-11-18T01:00:00.000Z`,
        },
        changedBy: 'test',
      });
      const url = `http://localhost:${r.port}/hook`;
      await deliverAlertWebhook(t.wh, ws, { url, secret: 'whsec_x' }, alert, HTTP_ONLY, { attempts: 4, baseDelayMs: 10 });
      const refused = (await alertsStore(t.wh).get(ws, alert.id))!.spec.webhook!;
      assert.equal(refused.delivered, false);
      assert.equal(refused.attempts, 1, 'a refusal by policy is not retried');
      assert.match(refused.error!, /^localhost resolves to a blocked address: loopback \(127\.0\.0\.0\/8\)/);
      assert.equal(r.received.length, 0, 'the receiver was never reached');

      await deliverAlertWebhook(t.wh, ws, { url, secret: 'whsec_x' }, alert, LOCAL_ALLOWED, { attempts: 4, baseDelayMs: 10 });
      assert.deepEqual((await alertsStore(t.wh).get(ws, alert.id))!.spec.webhook, { attempts: 1, delivered: true, status: 200 });
      assert.equal(r.received.length, 1);

      // A rule saved before signing existed has no secret: refused with a reason saying what to do.
      await deliverAlertWebhook(t.wh, ws, { url }, alert, LOCAL_ALLOWED);
      const unsigned = (await alertsStore(t.wh).get(ws, alert.id))!.spec.webhook!;
      assert.equal(unsigned.delivered, false);
      assert.match(unsigned.error!, /no signing secret.*\/v1\/alert-rules\/r1\/webhook-secret/);
      assert.equal(r.received.length, 1);
    } finally {
      await r.close();
    }
  });

  it('literal addresses and https-only are enforced at delivery too (the configuration may have changed since the save)', async () => {
    const strict = outboundPolicy({ allowHttp: false, allowedNetworks: [], timeoutMs: 1000 });
    const r = await receiver();
    try {
      assert.deepEqual(await postUnderPolicy(strict, `https://127.0.0.1:${r.port}/`, '{}', {}), {
        delivered: false,
        permanent: true,
        reason: 'webhook_url 127.0.0.1 is loopback (127.0.0.0/8); an operator can allow it with WEBHOOK_ALLOWED_NETWORKS',
      });
      const http = await postUnderPolicy(strict, `http://hooks.example.com/`, '{}', {});
      assert.equal(http.delivered, false);
      assert.match((http as { reason: string }).reason, /must use https/);
      assert.equal(r.received.length, 0);
    } finally {
      await r.close();
    }
  });

  it('a redirect is not followed: the second receiver is never hit, and the 302 is recorded as a failure', async () => {
    const second = await receiver();
    const first = await receiver((_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', `http://127.0.0.1:${second.port}/stolen`);
      res.end();
    });
    const ws = 'wh_redirect';
    try {
      const alert = await alertsStore(t.wh).save(ws, {
        name: 'x',
        spec: {
          rule_id: 'r1',
          metric: 'delivery_rate',
          kind: 'threshold',
          bucket: `${FIXTURE_YEAR}-11-18T00:00:00.000Z`,
          observed: 0.5,
          expected_low: 0.9,
          expected_high: null,
          volume: 150,
          status: 'open',
          fired_at: `${FIXTURE_YEAR}-11-18T01:00:00.000Z`,
        },
        changedBy: 'test',
      });
      await deliverAlertWebhook(t.wh, ws, { url: `http://127.0.0.1:${first.port}/hook`, secret: 'whsec_x' }, alert, LOCAL_ALLOWED, {
        attempts: 2,
        baseDelayMs: 10,
      });
      assert.deepEqual((await alertsStore(t.wh).get(ws, alert.id))!.spec.webhook, {
        attempts: 2,
        delivered: false,
        status: 302,
        error: 'HTTP 302: redirects are not followed',
      });
      assert.equal(first.received.length, 2);
      assert.equal(second.received.length, 0);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('a receiver that never answers times out; one that answers endlessly is cut off after the size cap', async () => {
    const silent = await receiver(() => {}); // takes the body, never replies
    let endlessClosed = false;
    const endless = await receiver((_req, res) => {
      res.on('close', () => (endlessClosed = true));
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    try {
      const policy = outboundPolicy({ ...LOCAL_ALLOWED, timeoutMs: 300 });
      assert.deepEqual(await postUnderPolicy(policy, `http://127.0.0.1:${silent.port}/`, '{}', {}), {
        delivered: false,
        permanent: false,
        reason: 'no answer within 300 ms',
      });
      assert.equal(silent.received.length, 1);
      // A 60 s deadline: only the size cap can end this exchange within the 15 s the guard waits.
      const capped = await Promise.race([
        postUnderPolicy(outboundPolicy({ ...LOCAL_ALLOWED, timeoutMs: 60_000 }), `http://127.0.0.1:${endless.port}/`, '{}', {}),
        new Promise((_, reject) => setTimeout(() => reject(new Error('still reading an endless answer: no size cap')), 15_000).unref()),
      ]);
      assert.deepEqual(capped, { delivered: true, status: 200 });
      await until(async () => endlessClosed, 5000);
    } finally {
      await silent.close();
      await endless.close();
    }
  });

  it('create rule → evaluate → the receiver gets a signed alert it can verify (through a real listener); a tampered body fails verification', async () => {
    const r = await receiver();
    const ws = 'wh_flow';
    try {
      const admin = await t.keyFor('admin', ws);
      const hour = Date.parse(`${FIXTURE_YEAR}-11-18T00:00:00Z`);
      await postEvents(
        t,
        await t.keyFor('sender', ws),
        Array.from({ length: 150 }, (_, i) => [
          { event_id: `s${i}`, type: 'send', ts: hour + i * 1000, user_id: `u${i}` },
          { event_id: `d${i}`, type: 'delivery', ts: hour + i * 1000 + 500, user_id: `u${i}`, status: i % 2 ? 'delivered' : 'failed' },
        ]).flat(),
      );
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${localUrl}/v1${path}`, { ...init, headers: { ...bearer(admin), ...(init.body ? { 'content-type': 'application/json' } : {}) } });
      const created = await api('/alert-rules', {
        method: 'POST',
        body: JSON.stringify({ ...rule(`http://127.0.0.1:${r.port}/hook?src=smsp`), min_volume: 100 }),
      });
      assert.equal(created.status, 201);
      const { id: ruleId, webhook_secret: secret } = (await created.json()) as { id: string; webhook_secret: string };

      const evaluated = await api('/alerts/evaluate', {
        method: 'POST',
        body: JSON.stringify({ from: new Date(hour).toISOString(), to: new Date(hour + 3600_000).toISOString() }),
      });
      assert.equal(evaluated.status, 200);
      const fired = ((await evaluated.json()) as { fired: Alert[] }).fired.filter((a) => a.spec.rule_id === ruleId);
      assert.equal(fired.length, 1);
      await until(async () => r.received.length > 0);
      const [got] = r.received;
      assert.equal(got!.path, '/hook?src=smsp');
      assert.equal(got!.headers['x-smsp-event'], 'alert');
      assert.equal(got!.headers['idempotency-key'], fired[0]!.id);
      assert.equal(got!.headers['content-type'], 'application/json');
      const body = JSON.parse(got!.raw);
      assert.equal(body.id, fired[0]!.id);
      assert.equal(body.observed, 0.5, '75 of 150 delivered');
      assert.equal(body.rule_id, ruleId);

      // The receiver's verification, from the raw body and the secret shown at creation.
      const header = got!.headers['x-smsp-signature'] as string;
      assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
      const t0 = Number(/t=(\d+)/.exec(header)![1]);
      assert.ok(Math.abs(t0 - Date.now() / 1000) < 60, 'the timestamp is now, so receivers can refuse replays');
      assert.ok(verifySignature(secret, got!.raw, header));
      assert.ok(!verifySignature(secret, got!.raw.replace('"observed":0.5', '"observed":0.95'), header), 'a tampered body fails');
      assert.ok(!verifySignature('whsec_wrong', got!.raw, header), 'another secret fails');
      assert.ok(!verifySignature(secret, got!.raw, header.replace(/t=\d+/, `t=${t0 + 1}`)), 'a changed timestamp fails');

      // The outcome is recorded on the alert.
      await until(async () => {
        const alerts = ((await (await api('/alerts')).json()) as { alerts: Alert[] }).alerts;
        return alerts.find((a) => a.id === fired[0]!.id)?.spec.webhook?.delivered === true;
      });
    } finally {
      await r.close();
    }
  });

  it('classifies resolved addresses: inward ranges of both families are blocked, public ones pass, allowed networks are exact', () => {
    const strict = outboundPolicy({ allowHttp: false, allowedNetworks: [], timeoutMs: 1000 });
    const blocked: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['10.255.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.0.1', 'private'],
      ['::ffff:192.168.0.1', 'private'],
      ['169.254.169.254', 'link-local'],
      ['fe80::1', 'link-local'],
      ['fd12:3456::1', 'unique-local'],
      ['fc00::1', 'unique-local'],
      ['100.127.255.255', 'carrier-grade NAT'],
      ['0.0.0.0', '"this network"'],
      ['::', 'unspecified'],
      ['239.1.1.1', 'multicast'],
      ['ff02::1', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['::127.0.0.1', 'IPv4-compatible'],
      ['64:ff9b::7f00:1', 'NAT64'],
      ['2002:7f00:1::', '6to4'],
      ['2001:db8::1', 'documentation'],
    ];
    for (const [address, reason] of blocked)
      assert.ok(blockedRange(strict, address)?.startsWith(`${reason} (`), `${address}: ${blockedRange(strict, address)}`);
    for (const address of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '1.1.1.1']) {
      assert.equal(blockedRange(strict, address), undefined, address);
    }
    const some = outboundPolicy({ allowHttp: false, allowedNetworks: ['10.1.0.0/16', 'fd00::/8'], timeoutMs: 1000 });
    assert.equal(blockedRange(some, '10.1.2.3'), undefined);
    assert.equal(blockedRange(some, '::ffff:10.1.2.3'), undefined, 'the mapped form of an allowed address is allowed too');
    assert.equal(blockedRange(some, 'fd00::5'), undefined);
    assert.equal(blockedRange(some, '10.2.0.1'), 'private (10.0.0.0/8)');
    assert.equal(blockedRange(some, '127.0.0.1'), 'loopback (127.0.0.0/8)');
  });

  it('the configuration refuses malformed webhook settings at start-up', () => {
    assert.deepEqual(loadConfig({}).webhooks, { allowHttp: false, allowedNetworks: [], timeoutMs: 5000, retry: { attempts: 4, baseDelayMs: 500 } });
    assert.deepEqual(
      loadConfig({
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOWED_NETWORKS: ' 10.1.0.0/16, ::1 ,192.168.5.5',
        WEBHOOK_TIMEOUT_MS: '1500',
        WEBHOOK_RETRY_ATTEMPTS: '6',
        WEBHOOK_RETRY_BASE_MS: '250',
      }).webhooks,
      {
        allowHttp: true,
        allowedNetworks: ['10.1.0.0/16', '::1/128', '192.168.5.5/32'],
        timeoutMs: 1500,
        retry: { attempts: 6, baseDelayMs: 250 },
      },
    );
    for (const env of [
      { WEBHOOK_ALLOW_HTTP: 'yes' },
      { WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/33' },
      { WEBHOOK_ALLOWED_NETWORKS: 'intranet' },
      { WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/8/1' },
      { WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/' },
      { WEBHOOK_TIMEOUT_MS: '0' },
      { WEBHOOK_RETRY_ATTEMPTS: '0' },
      { WEBHOOK_RETRY_BASE_MS: 'soon' },
    ]) {
      assert.throws(() => loadConfig(env), ConfigError, JSON.stringify(env));
    }
  });
});
