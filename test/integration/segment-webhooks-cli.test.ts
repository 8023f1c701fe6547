/**
 * `smsp segment webhooks` as a process: beside `smsp serve` (through its API) it adds a webhook (secret printed
 * once) and lists them (never the secret); refusals exit with the API's codes; offline, once the server stopped,
 * the list is the same, and `audience materialize` delivers the new version's signed notice before it ends.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServe, stopServe, type ServeProcess } from '../helpers/serve-process.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-webhooks-cli-'));
const env = {
  ...process.env,
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  ADMIN_API_KEY: '',
  CLICKHOUSE_URL: '',
  SMSP_URL: '',
  SMSP_API_KEY: '',
  KAFKA_BROKERS: '',
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1',
  WEBHOOK_RETRY_BASE_MS: '10',
};

function smsp(args: string[]) {
  const run = spawnSync(process.execPath, ['bin/smsp.mjs', ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Without blocking this process, whose receiver must answer the command's notices meanwhile. */
function smspAsync(args: string[]): Promise<ReturnType<typeof smsp>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/smsp.mjs', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function ok(run: ReturnType<typeof smsp>): string {
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

describe('smsp segment webhooks', () => {
  let serve: ServeProcess | undefined;
  const received: { headers: http.IncomingHttpHeaders; raw: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, raw });
      res.end('ok');
    });
  });
  let hookUrl = '';
  let segmentId = '';

  before(async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    serve = await startServe([], env);
    const key = fs.readFileSync(path.join(dataDir, 'admin-api-key'), 'utf8').trim();
    const post = async (route: string, body: unknown) => {
      const res = await fetch(`${serve!.address}/v1${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(res.status < 300, await res.clone().text());
      return res.json() as Promise<any>;
    };
    await post('/contacts', [
      { user_id: 'c1', phone: '13900000001' },
      { user_id: 'c2', phone: '13900000002' },
    ]);
    await post('/tags', { assignments: [{ user_id: 'c1', tag: 'cli' }] });
    segmentId = (await post('/segments', { name: 'cli hooks', rule: { tag: 'cli' } })).id;
  });
  after(async () => {
    if (serve) await stopServe(serve);
    receiver.closeAllConnections();
    receiver.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds and lists through the server, offline lists the same and materialize delivers a signed notice', async () => {
    const added = JSON.parse(ok(smsp(['segment', 'webhooks', segmentId, '--add', hookUrl, '--description', 'crm', '--json'])));
    assert.deepEqual([added.segment_id, added.url, added.description], [segmentId, hookUrl, 'crm']);
    assert.match(added.secret, /^whsec_/);
    const text = ok(smsp(['segment', 'webhooks', segmentId, '--add', `${hookUrl}?second=1`]));
    assert.match(text, /^webhook \S+ of segment \S+: http:\/\/127\.0\.0\.1:\d+\/hook\?second=1\nsigning secret \(shown this once, keep it\): whsec_\S+\n$/);

    const listed = ok(smsp(['segment', 'webhooks', segmentId, '--json']));
    const served = JSON.parse(listed);
    assert.deepEqual(served.webhooks.map((w: { url: string }) => w.url).sort(), [hookUrl, `${hookUrl}?second=1`]);
    assert.doesNotMatch(listed, /whsec_/);
    const table = ok(smsp(['segment', 'webhooks', segmentId]));
    assert.match(table, /^id\s+url\s+description\s+created_at/);
    assert.ok(table.includes(added.id) && table.includes('crm'));

    // Refusals: the API's codes and exit codes, one line.
    const refused = smsp(['segment', 'webhooks', segmentId, '--add', 'https://169.254.169.254/latest/meta-data/']);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /^smsp: .*body\.url.*link-local.*\[VALIDATION_FAILED\]\n$/);
    const missing = smsp(['segment', 'webhooks', 'no-such-segment']);
    assert.equal(missing.status, 3, missing.stderr);
    assert.match(missing.stderr, /\[NOT_FOUND\]\n$/);
    assert.equal(smsp(['segment', 'webhooks']).status, 2, 'the segment id is required');

    // Offline, on the same data: the same list, and materializing notifies both webhooks before the command ends.
    await stopServe(serve!);
    serve = undefined;
    assert.deepEqual(JSON.parse(ok(smsp(['segment', 'webhooks', segmentId, '--json']))), served);
    const materialized = JSON.parse(ok(await smspAsync(['audience', 'materialize', segmentId, '--json'])));
    assert.deepEqual([materialized.version, materialized.size], [1, 1]);
    assert.equal(received.length, 2, 'both notices delivered before the command ended');
    const body = JSON.parse(received[0]!.raw);
    assert.deepEqual([body.event, body.segment_id, body.version, body.size, body.added, body.removed], ['audience.version', segmentId, 1, 1, 1, 0]);
    const sigs = received.map((r) => {
      const { t, v1 } = Object.fromEntries(
        String(r.headers['x-smsp-signature'])
          .split(',')
          .map((kv) => kv.split('=')),
      ) as { t: string; v1: string };
      return crypto.createHmac('sha256', added.secret).update(`${t}.${r.raw}`).digest('hex') === v1;
    });
    assert.equal(sigs.filter(Boolean).length, 1, 'the first webhook’s notice verifies with its secret (the other has its own)');
  });
});
