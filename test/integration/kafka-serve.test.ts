/**
 * `smsp serve --ingest` while Kafka cannot be reached: the API serves at once, /readyz names ingest
 * as not ready, kafkajs logs go through pino collapsed; once the broker is reachable (a TCP proxy
 * opened on the configured port, forwarding to the test broker) ingest joins and events flow.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startServe, stopServe } from '../helpers/serve-process.ts';
import { freePort } from '../../scripts/kafka/broker.ts';
import { kafkaBrokers, waitFor } from '../helpers/kafka.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-kafka-serve-'));

/** Forwards connections on `port` to the test broker (which then advertises its own address). */
function openProxy(port: number): Promise<net.Server> {
  const [host, brokerPort] = kafkaBrokers()[0]!.split(':');
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(brokerPort), host);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('smsp serve --ingest with Kafka unreachable at start', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('serves the API at once, reports ingest not ready, logs kafkajs through pino collapsed, and becomes ready when Kafka answers', async () => {
    const kafkaPort = await freePort(); // nothing listens here until the proxy opens
    const id = `serve_${process.pid}`;
    const serve = await startServe(
      ['--ingest'],
      {
        ...process.env,
        DATA_DIR: dataDir,
        CLICKHOUSE_URL: '',
        ADMIN_API_KEY: '',
        LOG_LEVEL: 'warn',
        KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
        KAFKA_EVENTS_TOPIC: `events_${id}`,
        KAFKA_DEAD_LETTER_TOPIC: `dlq_${id}`,
        KAFKA_GROUP_ID: `group_${id}`,
        INGEST_BATCH_WAIT_MS: '100',
        INGEST_SESSION_TIMEOUT_MS: '6000',
      },
      { listening: /listening on (http:\/\/\S+) \(.*events via kafka, 1 ingest worker/ },
    );
    const { address } = serve;
    let proxy: net.Server | undefined;
    try {
      const key = fs.readFileSync(path.join(dataDir, 'admin-api-key'), 'utf8').trim();
      assert.ok(serve.stderr().includes(key), 'the generated admin key is printed');
      const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

      // Kafka is still unreachable: liveness and the API answer, readiness says what is missing.
      assert.deepEqual(await (await fetch(`${address}/healthz`)).json(), { status: 'ok' });
      const to = new Date(Date.now() + 86400_000).toISOString();
      const summary = await fetch(`${address}/v1/events/summary?from=2020-01-01T00:00:00Z&to=${to}`, { headers: auth });
      assert.equal(summary.status, 200);
      const notReady = await fetch(`${address}/readyz`);
      assert.equal(notReady.status, 503);
      const { reason } = (await notReady.json()) as { reason: string };
      assert.match(reason, /^ingest not ready: /);
      assert.match(reason, /event intake not ready/);
      const refused = await fetch(`${address}/v1/events`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify([{ event_id: 'early', type: 'click', ts: Date.now(), user_id: 'u1' }]),
      });
      assert.equal(refused.status, 503);
      assert.equal(((await refused.json()) as { code: string }).code, 'UNAVAILABLE');

      // Let the outage last past one collapse window: kafkajs retries a connection many times meanwhile.
      await waitFor('a collapsed repeat in the log', async () => serve.stdout().includes('"repeated":'), 40_000);
      const logLines = serve
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { level: number; msg: string; kafka?: string; clientId?: string; time: number });
      const kafkaLines = logLines.filter((l) => l.kafka);
      assert.ok(kafkaLines.length > 0, 'kafkajs logs reach pino');
      assert.doesNotMatch(serve.stderr(), /"logger":"kafkajs"/, 'no raw kafkajs lines');
      // The same message (from any of the process's Kafka clients) is written at most once per 10 s window.
      const lastAt = new Map<string, number>();
      for (const l of kafkaLines) {
        const k = `${l.level}|${l.kafka}|${l.msg}`;
        const previous = lastAt.get(k);
        assert.ok(previous === undefined || l.time - previous >= 9_900, `repeated within the window: ${k}`);
        lastAt.set(k, l.time);
      }
      assert.ok(kafkaLines.length <= 20, `${kafkaLines.length} kafka log lines in one outage window:\n${serve.stdout()}`);
      assert.equal((await fetch(`${address}/readyz`)).status, 503);

      // The broker becomes reachable: ingest joins and readiness follows, with no restart.
      proxy = await openProxy(kafkaPort);
      await waitFor('/readyz to answer 200', async () => (await fetch(`${address}/readyz`)).status === 200, 90_000);
      const ready = (await (await fetch(`${address}/readyz`)).json()) as { status: string };
      assert.equal(ready.status, 'ready');
      const posted = await fetch(`${address}/v1/events`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify([{ event_id: 'after_outage', type: 'click', ts: Date.now(), user_id: 'u1' }]),
      });
      assert.equal(posted.status, 202);
      await waitFor(
        'the event to be stored by the in-process worker',
        async () => (await fetch(`${address}/v1/events/after_outage`, { headers: auth })).status === 200,
        30_000,
      );
    } finally {
      const code = await stopServe(serve);
      proxy?.close();
      assert.equal(code, 0);
    }
  });
});
