/**
 * Realtime segments end to end: events through the real Kafka path (broker, ingest workers, event store) make contacts
 * enter; a tag removal and the window moving on (fake clock) make them leave; the stream replayed from the (empty) seed
 * equals the stored membership and a full re-evaluation of the rule (the preview). Run with
 * `node --import tsx scripts/test.ts test/integration/realtime-segments.test.ts` (it starts the broker).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import http from 'node:http';
import type { WebhookConfig } from '../../config/config.ts';
import { startIngest, type RunningIngest } from '../../ingest/kafka/ingest-service.ts';
import { outboundPolicy } from '../../notify/outbound-policy.ts';
import { notifyRealtimeChanges } from '../../segmentation/realtime-notices.ts';
import { addSegmentWebhook } from '../../segmentation/segment-webhooks.ts';
import { startRealtimeWorker, type RealtimeFlip } from '../../segmentation/realtime-worker.ts';
import type { PeriodicPass as RealtimeWorker } from '../../common/periodic-pass.ts';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';
import { fixClock, recentWallTime } from '../helpers/clock.ts';
import { kafkaTestConfig, produceEvents, testKafka, waitFor } from '../helpers/kafka.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WS = 'ws_a';
const LOCAL: WebhookConfig = { allowHttp: true, allowedNetworks: ['127.0.0.0/8'], timeoutMs: 10_000, retry: { attempts: 4, baseDelayMs: 20 } };
const RULE = { all: [{ event: 'click', within_days: 7, count: { op: 'gte', value: 2 } }, { tag: 'vip' }] };

interface Change {
  seq: number;
  user_id: string;
  phone: string;
  change: 'entered' | 'left';
  cause_ingested_at: string;
  recorded_at: string;
}

describe('realtime segments (Kafka → membership within seconds)', () => {
  let t: TestApp;
  let marketer: string;
  let ingest: RunningIngest;
  let worker: RealtimeWorker;
  let segmentId: string;
  let restoreClock: () => void;
  let nowMs: number;
  const pushed: RealtimeFlip[] = [];
  /** Bodies the segment's webhook received. */
  const notices: { event: string; segment_id: string; first_seq: number; last_seq: number; changes: RealtimeFlip[] }[] = [];
  const hook = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      notices.push(JSON.parse(raw));
      res.end('ok');
    });
  });
  const workerErrors: unknown[] = [];
  const config = kafkaTestConfig('realtime');
  const kafka = testKafka();
  let n = 0;
  const clicks = (user: string, ...ago: number[]) => ago.map((a) => ({ event_id: `rt${++n}`, type: 'click', ts: nowMs - a, user_id: user }));

  const api = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: object, key = marketer) => {
    const res = await t.app.inject({ method, url, headers: bearer(key), ...(payload && { payload }) });
    return { status: res.statusCode, body: res.json() };
  };
  const allChanges = async (key = marketer): Promise<Change[]> => {
    const out: Change[] = [];
    for (let since = 0; ;) {
      const { status, body } = await api('GET', `/v1/segments/${segmentId}/changes?since=${since}&limit=2`, undefined, key);
      assert.equal(status, 200);
      if (!body.changes.length) return out;
      out.push(...body.changes);
      since = body.next;
    }
  };
  /** The membership the stream gives, replayed from the empty seed. */
  const replay = (changes: Change[]) => {
    const members = new Set<string>();
    for (const c of changes) {
      // Every change flips: an entered contact was out, a left one was in.
      assert.equal(members.has(c.user_id), c.change === 'left', `change ${c.seq} (${c.change} ${c.user_id}) flips the membership`);
      if (c.change === 'entered') members.add(c.user_id);
      else members.delete(c.user_id);
    }
    return [...members].sort();
  };
  const waitForChanges = (count: number) => waitFor(`${count} changes`, async () => (await allChanges()).length >= count, 30_000);

  before(async () => {
    nowMs = recentWallTime('Wed', '12:00', 'Asia/Shanghai');
    restoreClock = fixClock(nowMs);
    t = await startTestApp('realtime_segments');
    marketer = await t.keyFor('marketer');
    const contacts = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map((u, i) => ({ user_id: u, phone: `1380013800${i}` }));
    assert.equal((await api('POST', '/v1/contacts', contacts)).status, 200);
    const vip = ['u1', 'u2', 'u3', 'u4'].map((u) => ({ user_id: u, tag: 'vip' }));
    assert.equal((await api('POST', '/v1/tags', { assignments: vip, removals: [] })).status, 200);
    const created = await api('POST', '/v1/segments', { name: 'vip clickers', rule: RULE });
    segmentId = created.body.id;
    ingest = await startIngest({ config, warehouse: t.wh, registry: new Registry(), logger: pino({ level: 'silent' }) });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
    await addSegmentWebhook(t.wh, WS, segmentId, { url: hookUrl }, outboundPolicy(LOCAL), 'test');
    const onError = (err: unknown) => workerErrors.push(err);
    worker = startRealtimeWorker(t.wh, {
      everyMs: 200,
      sweepMs: 60_000,
      onError,
      // As `smsp serve` wires it: kept for the test, and pushed to the segment's webhooks.
      onChanges: (ws, id, c) => {
        pushed.push(...c);
        void notifyRealtimeChanges(t.wh, ws, id, c, LOCAL, onError);
      },
    });
  });
  after(async () => {
    await worker?.stop();
    hook.closeAllConnections();
    hook.close();
    await ingest?.stop();
    restoreClock();
    await t.close();
  });

  it('a rule that does not qualify is refused naming the leaf; another workspace and a missing segment are 404', async () => {
    const rfm = await api('POST', '/v1/segments', { name: 'champions', rule: { all: [{ tag: 'vip' }, { rfm: { segment: 'champions' } }] } });
    const refused = await api('PUT', `/v1/segments/${rfm.body.id}/realtime`, { enabled: true });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.field, 'rule.all[1].rfm');
    assert.match(refused.body.message, /batch runs/);
    const status = await api('GET', `/v1/segments/${rfm.body.id}/realtime`);
    assert.deepEqual({ ...status.body, reason: undefined }, { enabled: false, qualifies: false, field: 'rule.all[1].rfm', reason: undefined, watermark: null });

    const other = await t.keyFor('admin', 'ws_b');
    for (const [method, url, payload] of [
      ['PUT', `/v1/segments/${segmentId}/realtime`, { enabled: true }],
      ['GET', `/v1/segments/${segmentId}/realtime`],
      ['GET', `/v1/segments/${segmentId}/changes`],
      ['GET', '/v1/segments/missing/changes'],
    ] as const) {
      const res = await api(method, url, payload, url.includes('missing') ? marketer : other);
      assert.equal(res.status, 404, `${method} ${url}`);
      assert.equal(res.body.code, 'NOT_FOUND');
    }
    // The other workspace's attempt did not turn the flag on.
    assert.equal((await api('GET', `/v1/segments/${segmentId}/realtime`)).body.enabled, false);
  });

  it('the first enable seeds without change rows; events through Kafka make contacts enter', async () => {
    const on = await api('PUT', `/v1/segments/${segmentId}/realtime`, { enabled: true });
    assert.equal(on.status, 200);
    assert.equal(on.body.enabled, true);
    assert.equal(on.body.qualifies, true);
    assert.ok(Date.parse(on.body.watermark) > 0);
    assert.deepEqual(await allChanges(), []);

    const produced = Date.now();
    await produceEvents(kafka, config.eventsTopic, WS, [
      ...clicks('u1', 1 * HOUR, 2 * HOUR), // vip, 2 clicks: enters
      ...clicks('u2', 1 * HOUR), // vip, 1 click: not yet
      ...clicks('u3', 3 * DAY, 3 * DAY + HOUR, 3 * DAY + 2 * HOUR), // vip, 3 clicks 3 days ago: enters
      ...clicks('u4', 10 * DAY, 10 * DAY + HOUR), // vip, but outside the 7 days
      ...clicks('u5', 2 * HOUR, 3 * HOUR), // 2 clicks, not vip
    ]);
    await produceEvents(kafka, config.eventsTopic, 'ws_b', clicks('u1', HOUR, 2 * HOUR)); // another workspace's u1
    await waitForChanges(2);
    const changes = await allChanges();
    assert.deepEqual(
      changes.map((c) => [c.seq, c.user_id, c.change]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
      [
        [changes.find((c) => c.user_id === 'u1')!.seq, 'u1', 'entered'],
        [changes.find((c) => c.user_id === 'u3')!.seq, 'u3', 'entered'],
      ],
    );
    assert.deepEqual(changes.map((c) => c.seq).sort(), [1, 2]);
    for (const c of changes) {
      // The cause is the stored events' ingest time: after producing, no later than the record.
      assert.ok(Date.parse(c.cause_ingested_at) >= produced - 1000 && Date.parse(c.cause_ingested_at) <= Date.parse(c.recorded_at) + 1, JSON.stringify(c));
      assert.match(c.phone, /^\+861380013800\d$/);
    }

    await produceEvents(kafka, config.eventsTopic, WS, clicks('u2', 30 * 60_000)); // u2's second click
    await waitForChanges(3);
    assert.deepEqual(
      (await allChanges()).slice(2).map((c) => [c.user_id, c.change]),
      [['u2', 'entered']],
    );
  });

  it('events posted over HTTP count too', async () => {
    const sender = await t.keyFor('sender');
    const posted = await api('POST', '/v1/events', clicks('u4', HOUR, 2 * HOUR), sender); // u4's old clicks had left the window
    assert.equal(posted.status, 202);
    await waitForChanges(4);
    assert.deepEqual(
      (await allChanges()).slice(3).map((c) => [c.user_id, c.change]),
      [['u4', 'entered']],
    );
  });

  it('removing the tag makes a member leave; gaining it makes a clicker enter', async () => {
    await api('POST', '/v1/tags', { assignments: [{ user_id: 'u5', tag: 'vip' }], removals: [{ user_id: 'u1', tag: 'vip' }] });
    await waitForChanges(6);
    const last = (await allChanges()).slice(4).map((c) => `${c.user_id} ${c.change}`);
    assert.deepEqual(last.sort(), ['u1 left', 'u5 entered']);
  });

  it('the window moving on makes members leave with no new event (the sweep)', async () => {
    // 5 days later: u3's clicks (3 days old) are 8 days old; u2's and u5's are 5 days old, still inside.
    nowMs += 5 * DAY;
    restoreClock = fixClock(nowMs);
    await waitForChanges(7);
    assert.deepEqual(
      (await allChanges()).slice(6).map((c) => `${c.user_id} ${c.change}`),
      ['u3 left'],
    );
  });

  it('the final membership equals the stream replayed, the stored membership and a full re-evaluation of the rule', async () => {
    const changes = await allChanges();
    const streamed = replay(changes);
    const preview = await api('POST', '/v1/segments/preview', { rule: RULE, sample: 100 });
    const evaluated = preview.body.sample.map((r: { user_id: string }) => r.user_id).sort();
    assert.equal(preview.body.count, evaluated.length);
    assert.deepEqual(evaluated, ['u2', 'u4', 'u5']);
    assert.deepEqual(streamed, evaluated);
    const stored = await t.wh.query<{ unit: string }>(
      "SELECT unit FROM realtime_members FINAL WHERE workspace_id = 'ws_a' AND segment_id = {s:String} AND member = 1 ORDER BY unit",
      { s: segmentId },
    );
    assert.deepEqual(
      stored.map((r) => r.unit),
      evaluated,
    );
    // The callback got every change, in order, once.
    assert.deepEqual(
      pushed.map((c) => [c.seq, c.user_id, c.change]),
      changes.map((c) => [c.seq, c.user_id, c.change]),
    );
    // The webhook got them too, in signed notices of one pass each, in order.
    await waitFor('every change to reach the webhook', async () => notices.reduce((n, x) => n + x.changes.length, 0) >= changes.length, 10_000);
    const delivered = notices.sort((a, b) => a.first_seq - b.first_seq).flatMap((x) => x.changes.map((c) => [c.seq, c.user_id, c.change]));
    assert.deepEqual(
      delivered,
      changes.map((c) => [c.seq, c.user_id, c.change]),
    );
    assert.ok(notices.every((x) => x.event === 'segment.changes' && x.segment_id === segmentId && x.last_seq === x.changes[x.changes.length - 1]!.seq));
    assert.deepEqual(workerErrors, []);
  });

  it('a rule edited to one that does not qualify turns the flag off; an edit that still qualifies seeds again silently', async () => {
    const seg = await api('POST', '/v1/segments', { name: 'edited', rule: { tag: 'vip' } });
    assert.equal((await api('PUT', `/v1/segments/${seg.body.id}/realtime`, { enabled: true })).status, 200);
    const members = async () =>
      (
        await t.wh.query<{ unit: string }>(
          "SELECT unit FROM realtime_members FINAL WHERE workspace_id = 'ws_a' AND segment_id = {s:String} AND member = 1 ORDER BY unit",
          { s: seg.body.id },
        )
      ).map((r) => r.unit);
    // The seed: every vip holder now (u1 lost the tag, u5 gained it); the edit (no contact is in 上海) empties it.
    assert.deepEqual(await members(), ['u2', 'u3', 'u4', 'u5']);
    await api('PUT', `/v1/segments/${seg.body.id}`, { name: 'edited', rule: { all: [{ tag: 'vip' }, { attr: 'city', op: 'eq', value: '上海' }] } });
    await waitFor('the new version to be seeded', async () => (await members()).length === 0, 10_000);
    assert.equal((await api('GET', `/v1/segments/${seg.body.id}/realtime`)).body.enabled, true);
    await api('PUT', `/v1/segments/${seg.body.id}`, { name: 'edited', rule: { all: [{ tag: 'vip' }, { rfm: { segment: 'loyal' } }] } });
    await waitFor('the flag to turn off', async () => (await api('GET', `/v1/segments/${seg.body.id}/realtime`)).body.enabled === false, 10_000);
    const status = (await api('GET', `/v1/segments/${seg.body.id}/realtime`)).body;
    assert.deepEqual([status.qualifies, status.field], [false, 'rule.all[1].rfm']);
    // Seeds write no change rows.
    assert.deepEqual((await api('GET', `/v1/segments/${seg.body.id}/changes`)).body, { changes: [], next: 0 });
  });

  it('through a real listener: analysts read the stream with phones masked; turning the flag off stops it', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const analyst = await t.keyFor('analyst');
    const res = await fetch(`${address}/v1/segments/${segmentId}/changes?since=1&limit=1`, { headers: bearer(analyst) });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { changes: Change[]; next: number };
    assert.equal(body.changes.length, 1);
    assert.equal(body.changes[0]!.seq, 2);
    assert.equal(body.next, 2);
    assert.match(body.changes[0]!.phone, /^\+86138\*{4}\d{4}$|^138\*{4}\d{4}$/);

    // Erasing a person takes them out of the membership and the stream.
    const admin = await t.keyFor('admin');
    assert.equal((await api('DELETE', '/v1/contacts/u2', undefined, admin)).status, 200);
    for (const table of ['realtime_members', 'realtime_changes']) {
      const [row] = await t.wh.query<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE workspace_id = 'ws_a' AND unit = 'u2'`);
      assert.equal(Number(row!.n), 0, table);
    }

    const off = await api('PUT', `/v1/segments/${segmentId}/realtime`, { enabled: false });
    assert.deepEqual(off.body, { enabled: false, qualifies: true, watermark: null });
    const before = (await allChanges()).length;
    await produceEvents(kafka, config.eventsTopic, WS, clicks('u6', HOUR, 2 * HOUR));
    await api('POST', '/v1/tags', { assignments: [{ user_id: 'u6', tag: 'vip' }], removals: [] });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await allChanges()).length, before);
  });
});
