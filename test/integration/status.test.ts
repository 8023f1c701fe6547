/**
 * GET /v1/status (admin only) over a real listener: the server is this process at the address it listens
 * on; events of the last 24 hours and open alerts are the caller's workspace's, counted here independently;
 * data size is the engine's own account of its parts; migrations are current.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PlatformStatus } from '../../analytics/platform-status.ts';
import { listMigrations } from '../../warehouse/migrations.ts';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';

describe('GET /v1/status', () => {
  let t: TestApp;
  let address: string;
  before(async () => {
    t = await startTestApp('status');
    address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => t.close());

  const get = (key: string | undefined) => fetch(`${address}/v1/status`, { headers: key ? bearer(key) : {} });
  /** The answer (or, for a refusal, the error's body). */
  type Running = Extract<PlatformStatus['server'], { running: true }>;
  const body = async (res: Response) => (await res.json()) as PlatformStatus & { server: Running; code?: string };

  /** The events both tests read, posted once by whichever test needs them first (each test also runs alone). */
  let seeding: Promise<{ now: number; posted: number }> | undefined;
  const seeded = () => (seeding ??= postStatusEvents());
  async function postStatusEvents(): Promise<{ now: number; posted: number }> {
    const now = Date.now();
    const at = (hoursAgo: number) => new Date(now - hoursAgo * 3600_000).toISOString();
    // In the last 24 h: 3 sends, 2 deliveries, 1 click; outside it: 2 sends (25 h ago); another workspace: 4 sends.
    const events = [
      ...[1, 2, 23].map((h, i) => ({ event_id: `st_send_${i}`, type: 'send', ts: at(h), user_id: `u${i}` })),
      ...[1, 2].map((h, i) => ({ event_id: `st_dlv_${i}`, type: 'delivery', status: 'delivered', ts: at(h), user_id: `u${i}` })),
      { event_id: 'st_click_0', type: 'click', ts: at(0.5), user_id: 'u0' },
      ...[25, 26].map((h, i) => ({ event_id: `st_old_${i}`, type: 'send', ts: at(h), user_id: `u${i}` })),
    ];
    await postEvents(t, await t.keyFor('sender', 'ws_a'), events);
    await postEvents(
      t,
      await t.keyFor('sender', 'ws_b'),
      [1, 2, 3, 4].map((h) => ({ event_id: `st_b_${h}`, type: 'send', ts: at(h), user_id: `b${h}` })),
    );
    return { now, posted: events.length + 4 };
  }

  it('answers an admin with the installation and the workspace; refuses every other role and no key', async () => {
    const { now, posted } = await seeded();
    const res = await get(await t.keyFor('admin', 'ws_a'));
    assert.equal(res.status, 200);
    const status = await body(res);
    assert.equal(status.workspace, 'ws_a');
    assert.deepEqual(
      [status.server.running, status.server.pid, status.server.address],
      [true, process.pid, address],
      'the server is the process that answered, where it listens',
    );
    assert.ok(status.server.uptime_seconds >= 0 && Date.parse(status.server.started_at) <= now);
    assert.deepEqual(status.engine, { kind: 'embedded', location: t.wh.config.embeddedPath, database: t.wh.database });
    assert.deepEqual(status.events_last_24h, { send: 3, delivery: 2, click: 1, conversion: 0, unsubscribe: 0, reply: 0, complaint: 0, exposure: 0 });
    const files = listMigrations();
    assert.deepEqual(status.migrations, { latest: files.at(-1)!.version, applied: files.length, pending: 0, unknown: [] });
    assert.deepEqual(status.ingest, { kafka: false });
    assert.equal(status.open_alerts, 0);

    // Data size: the engine's own parts, per table, and the total is their sum.
    const parts = await t.wh.query<{ table: string; bytes: string }>(
      'SELECT table, sum(bytes_on_disk) AS bytes FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table ORDER BY table',
    );
    const events_ = status.data.tables.find((x) => x.table === 'events');
    assert.ok(events_ && events_.rows >= posted && events_.bytes > 0, JSON.stringify(events_));
    assert.equal(
      status.data.total_bytes,
      status.data.tables.reduce((sum, x) => sum + x.bytes, 0),
    );
    assert.ok(
      status.data.tables.every((x) => parts.some((p) => p.table === x.table)),
      'every table listed has parts',
    );

    for (const role of ['analyst', 'marketer', 'sender'] as const) {
      const refused = await get(await t.keyFor(role, 'ws_a'));
      assert.equal(refused.status, 403, role);
      assert.equal((await body(refused)).code, 'FORBIDDEN');
    }
    assert.equal((await get(undefined)).status, 401);
  });

  it('counts the workspace’s open alerts, not acknowledged ones nor another workspace’s', async () => {
    await seeded();
    const analyst = await t.keyFor('analyst', 'ws_a');
    // A rule that fires on any delivery rate below 200 % over the last hours: the events above make it fire.
    const rule = await t.app.inject({
      method: 'POST',
      url: '/v1/alert-rules',
      headers: bearer(analyst),
      payload: { name: 'always', metric: 'delivery_rate', kind: 'threshold', threshold: { below: 2 }, min_volume: 1, cooldown_hours: 0 },
    });
    assert.equal(rule.statusCode, 201, rule.body);
    const hour = Math.floor(Date.now() / 3600_000) * 3600_000;
    const evaluated = await t.app.inject({
      method: 'POST',
      url: '/v1/alerts/evaluate',
      headers: bearer(analyst),
      payload: { from: new Date(hour - 4 * 3600_000).toISOString(), to: new Date(hour).toISOString() },
    });
    assert.equal(evaluated.statusCode, 200, evaluated.body);
    const fired = evaluated.json().fired as { id: string }[];
    assert.ok(fired.length >= 2, `${fired.length} alerts fired`);
    const ack = await t.app.inject({ method: 'POST', url: `/v1/alerts/${fired[0]!.id}/ack`, headers: bearer(analyst) });
    assert.equal(ack.statusCode, 200, ack.body);

    assert.equal((await body(await get(await t.keyFor('admin', 'ws_a')))).open_alerts, fired.length - 1);
    assert.equal((await body(await get(await t.keyFor('admin', 'ws_b')))).open_alerts, 0);
  });
});
