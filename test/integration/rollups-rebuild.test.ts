/**
 * `POST /v1/admin/rollups/rebuild` inside a running server: events posted while the rollups are emptied and
 * refilled wait for it and are counted exactly once (the rollups equal counts taken from the events table);
 * only a root key may rebuild, and a second rebuild while one runs is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withEventWritesPaused } from '../../ingest/event-store.ts';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';

const WS = 'ws_rebuild';
const HOUR = 3_600_000;

/** `n` events from `prefix`: sends, every third one a click, spread over the last two days. */
function events(prefix: string, n: number, nowMs: number) {
  return Array.from({ length: n }, (_, i) => ({
    event_id: `${prefix}${i}`,
    type: i % 3 === 2 ? 'click' : 'send',
    ts: new Date(nowMs - 2 * 24 * HOUR + ((i * 997) % (47 * HOUR))).toISOString(),
    user_id: `u${i % 50}`,
    campaign_id: `c${i % 3}`,
  }));
}

/** Per type: events stored and events in the contact rollup; clicks in both metric rollups. */
async function countsBothWays(t: TestApp) {
  const count = async (statement: string) => {
    const rows = await t.wh.query<{ type: string; n: string }>(statement, { ws: WS });
    return Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
  };
  return {
    stored: await count('SELECT toString(type) AS type, count() AS n FROM events WHERE workspace_id = {ws:String} GROUP BY type'),
    rolled: await count('SELECT toString(type) AS type, sum(events) AS n FROM contact_daily WHERE workspace_id = {ws:String} GROUP BY type'),
    clicks: await count(
      "SELECT 'hourly' AS type, sum(clicks) AS n FROM metrics_hourly WHERE workspace_id = {ws:String} UNION ALL SELECT 'slim', sum(clicks) FROM metrics_hourly_slim WHERE workspace_id = {ws:String}",
    ),
  };
}

describe('rollups rebuild through the server', () => {
  let t: TestApp;
  let base = '';
  let senderKey = '';
  const nowMs = Date.now();

  before(async () => {
    t = await startTestApp('rollups_rebuild');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}/v1`;
    senderKey = await t.keyFor('sender', WS);
    await postEvents(t, senderKey, events('before-', 3000, nowMs));
  });
  after(() => t.close());

  it('events posted during the rebuild wait for it and are counted once', async () => {
    // Rollups that lost rows, as a crash between an insert and its views would leave them.
    await t.wh.command('TRUNCATE TABLE metrics_hourly_slim');
    await t.wh.command("DELETE FROM contact_daily WHERE workspace_id = {ws:String} AND toString(type) = 'click'", { ws: WS });

    let rebuildAnsweredAt = Infinity;
    const rebuild = fetch(`${base}/admin/rollups/rebuild`, { method: 'POST', headers: bearer(t.rootKey) }).then(async (res) => {
      rebuildAnsweredAt = performance.now();
      return { status: res.status, body: (await res.json()) as { rebuilt: { tables: string[]; seconds: number }[] } };
    });
    // Posts in a row while the rebuild runs, and one more after it answered.
    const posts: { sentAt: number; answeredAt: number; status: number }[] = [];
    for (let round = 0; round < 200 && rebuildAnsweredAt === Infinity; round++) {
      const sentAt = performance.now();
      const res = await fetch(`${base}/events`, {
        method: 'POST',
        headers: { ...bearer(senderKey), 'content-type': 'application/json' },
        body: JSON.stringify(events(`during-${round}-`, 30, nowMs)),
      });
      posts.push({ sentAt, answeredAt: performance.now(), status: res.status });
    }
    const answer = await rebuild;
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(
      answer.body.rebuilt.map((r) => r.tables),
      [['contact_daily', 'contact_daily_dims'], ['metrics_hourly'], ['metrics_hourly_slim']],
    );
    assert.ok(
      answer.body.rebuilt.every((r) => r.seconds >= 0),
      'each step timed',
    );
    assert.ok(
      posts.every((p) => p.status === 202),
      'no post refused',
    );
    assert.ok(
      posts.some((p) => p.sentAt < rebuildAnsweredAt),
      'at least one post was sent while the rebuild ran',
    );

    const { stored, rolled, clicks } = await countsBothWays(t);
    assert.equal(stored.send! + stored.click!, 3000 + posts.length * 30, 'every posted event stored');
    assert.deepEqual(rolled, stored, 'the contact rollup counts each stored event once');
    assert.deepEqual(clicks, { hourly: stored.click, slim: stored.click }, 'both metric rollups count each click once');
  });

  it('only a root key may rebuild, and one rebuild runs at a time', async () => {
    const admin = await fetch(`${base}/admin/rollups/rebuild`, { method: 'POST', headers: bearer(await t.keyFor('admin', WS)) });
    assert.equal(admin.status, 403);
    assert.match(((await admin.json()) as { message: string }).message, /only a root key may rebuild rollups/);

    // While event writes are paused (a rebuild in progress), a second rebuild is refused at once.
    let release!: () => void;
    const held = withEventWritesPaused(t.wh, () => new Promise<void>((resolve) => (release = resolve)));
    try {
      const second = await fetch(`${base}/admin/rollups/rebuild`, { method: 'POST', headers: bearer(t.rootKey) });
      assert.equal(second.status, 409);
      assert.equal(((await second.json()) as { code: string }).code, 'REBUILD_RUNNING');
    } finally {
      release();
      await held;
    }
    const third = await fetch(`${base}/admin/rollups/rebuild`, { method: 'POST', headers: bearer(t.rootKey) });
    assert.equal(third.status, 200);
  });
});
