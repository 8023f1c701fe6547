/**
 * Scheduled refresh of audiences, through a real listener with a fake clock in a non-Beijing zone
 * (America/New_York): a schedule is set over HTTP, the clock passes a slot, a scheduler tick materializes a
 * snapshot equal to the segment's preview; missed slots run once; keep_versions prunes old snapshots; runs are
 * listed newest first; runs never overlap (two schedulers on one warehouse, a tick during a slow run, a run
 * left behind by a dead process); another workspace's segment is a 404; bad schedules are 400s naming the field.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { setClock } from '../../common/clock.ts';
import { errors } from '../../common/errors.ts';
import { addZoneDays } from '../../common/zone-time.ts';
import { computedTagSchedules } from '../../segmentation/computed-tags.ts';
import { startJobScheduler, type FinishedRun, type ScheduleSource } from '../../segmentation/job-scheduler.ts';
import { writeRun } from '../../segmentation/schedule-runs.ts';
import { segmentRefreshSource } from '../../segmentation/segment-schedules.ts';
import { fetchCaller, type Caller } from '../helpers/api-seed.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { recentWallTime } from '../helpers/clock.ts';

const WS = 'sched';
const NY = 'America/New_York';
const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('scheduled refresh of audiences', () => {
  let t: TestApp;
  let call: Caller;
  let base: string;
  const keys: Record<string, string> = {};
  let clock = 0;
  let segmentId: string;
  const finished: FinishedRun[] = [];
  // Wednesday 07:00 in New York: the schedule below fires at 08:00 each day.
  const wed7 = recentWallTime('Wed', '07:00', NY);
  /** 08:00 New York time `days` after that Wednesday, computed on the zone's calendar (not by croner). */
  const eightAm = (days: number) => addZoneDays(wed7 + HOUR, days, NY);

  const ok = async (method: string, url: string, body?: unknown, key = keys.marketer) => {
    const res = await call(method, url, key, body);
    assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${res.text}`);
    return res.json;
  };
  /** The user ids of an audience snapshot, read through the export route. */
  const exported = async (audienceId: string, version: number) => {
    const res = await call('GET', `/v1/audiences/${audienceId}/export?version=${version}&fields=user_id&limit=1000`, keys.sender);
    assert.equal(res.status, 200, res.text);
    return res.text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).user_id as string)
      .sort();
  };
  const previewed = async () => {
    const res = await ok('POST', '/v1/segments/preview', { rule: { tag: 'fan' }, sample: 100 });
    assert.equal(res.sample.length, res.count);
    return res.sample.map((r: { user_id: string }) => r.user_id).sort();
  };
  const runs = async () => (await ok('GET', `/v1/segments/${segmentId}/schedule/runs?limit=100`, undefined, keys.analyst)).runs;
  const noticeErrors: unknown[] = [];
  const refreshes = () => segmentRefreshSource({ webhooks: t.config.webhooks, onError: (err) => void noticeErrors.push(err) });
  const scheduler = () => startJobScheduler(t.wh, [refreshes()], { everyMs: 0, onRunFinished: (r) => void finished.push(r) });

  before(async () => {
    // Webhooks may post to a receiver on this machine (the notices test).
    t = await startTestApp('segment_schedules', { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8' });
    for (const role of ['admin', 'marketer', 'analyst', 'sender'] as const) keys[role] = await t.keyFor(role, WS);
    keys.other = await t.keyFor('marketer', 'sched_other');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    call = fetchCaller(base);
    clock = wed7;
    setClock(() => clock);
    await ok('PUT', '/v1/workspace', { timezone: NY }, keys.admin);
    const users = Array.from({ length: 12 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    await ok(
      'POST',
      '/v1/contacts',
      users.map((user_id, i) => ({ user_id, phone: `1390000${String(i).padStart(4, '0')}` })),
    );
    await ok('POST', '/v1/tags', { assignments: users.slice(0, 6).map((user_id) => ({ user_id, tag: 'fan' })) });
    segmentId = (await ok('POST', '/v1/segments', { name: 'fans', rule: { tag: 'fan' } })).id;
  });
  after(async () => {
    setClock();
    await t.close();
  });

  it('sets a schedule over HTTP and answers it with the zone and the next slot', async () => {
    const saved = await ok('PUT', `/v1/segments/${segmentId}/schedule`, { cron: '0 8 * * *', eligibility: { frequency_cap: true } });
    assert.deepEqual(
      { ...saved, changed_at: undefined, changed_by: undefined },
      {
        segment_id: segmentId,
        cron: '0 8 * * *',
        eligibility: { frequency_cap: true },
        keep_versions: 7,
        enabled: true,
        since: new Date(wed7).toISOString(),
        timezone: NY,
        next_run_at: new Date(eightAm(0)).toISOString(),
        version: 1,
        changed_at: undefined,
        changed_by: undefined,
      },
    );
    assert.deepEqual(await ok('GET', `/v1/segments/${segmentId}/schedule`, undefined, keys.analyst), saved);
  });

  it('runs nothing before the slot; after it, one run makes a snapshot whose export equals the preview', async () => {
    const s = scheduler();
    try {
      clock = wed7 + 59 * MINUTE;
      assert.deepEqual(await s.tick(), []);
      clock = eightAm(0) + 5 * MINUTE;
      const [run, ...more] = await s.tick();
      assert.deepEqual(more, []);
      assert.deepEqual(run, { kind: 'segment_refresh', workspaceId: WS, id: segmentId, slotMs: eightAm(0), status: 'succeeded', size: 6, version: 1 });
      assert.deepEqual(await s.tick(), [], 'the slot ran: nothing is due until tomorrow');
    } finally {
      await s.stop();
    }
    const audience = await ok('GET', `/v1/audiences/${segmentId}`, undefined, keys.sender);
    assert.deepEqual([audience.version, audience.size, audience.eligibility], [1, 6, { frequency_cap: true }]);
    assert.deepEqual(await exported(segmentId, 1), await previewed());
    assert.deepEqual(await runs(), [
      {
        slot: new Date(eightAm(0)).toISOString(),
        started_at: new Date(eightAm(0) + 5 * MINUTE).toISOString(),
        finished_at: new Date(eightAm(0) + 5 * MINUTE).toISOString(),
        status: 'succeeded',
        size: 6,
        audience_version: 1,
        error: null,
      },
    ]);
  });

  it('runs slots missed while no scheduler ran once, for the latest of them, with the rule as it is then', async () => {
    await ok('POST', '/v1/tags', { assignments: ['s06', 's07', 's08'].map((user_id) => ({ user_id, tag: 'fan' })) });
    clock = eightAm(3) + HOUR; // Saturday 09:00: Thursday, Friday and Saturday 08:00 were missed
    const s = scheduler();
    try {
      const done = await s.tick();
      assert.deepEqual(
        done.map((r) => [r.slotMs, r.status, r.size, r.version]),
        [[eightAm(3), 'succeeded', 9, 2]],
      );
      assert.deepEqual(await s.tick(), []);
    } finally {
      await s.stop();
    }
    assert.deepEqual(await exported(segmentId, 2), await previewed());
    assert.deepEqual(
      (await runs()).map((r: { slot: string; status: string }) => [r.slot, r.status]),
      [
        [new Date(eightAm(3)).toISOString(), 'succeeded'],
        [new Date(eightAm(0)).toISOString(), 'succeeded'],
      ],
    );
    const paged = await ok('GET', `/v1/segments/${segmentId}/schedule/runs?limit=1`, undefined, keys.analyst);
    assert.equal(paged.runs[0].slot, new Date(eightAm(3)).toISOString());
    const rest = await ok('GET', `/v1/segments/${segmentId}/schedule/runs?limit=1&cursor=${paged.next_cursor}`, undefined, keys.analyst);
    assert.deepEqual([rest.runs[0].slot, rest.next_cursor], [new Date(eightAm(0)).toISOString(), null]);
  });

  it('keeps the newest keep_versions snapshots and deletes the older ones', async () => {
    await ok('POST', `/v1/segments/${segmentId}/materialize`, {}); // version 3, by hand
    await ok('PUT', `/v1/segments/${segmentId}/schedule`, { cron: '0 8 * * *', keep_versions: 2 });
    const s = scheduler();
    try {
      clock = eightAm(4) + MINUTE; // Sunday 08:01
      assert.deepEqual(
        (await s.tick()).map((r) => r.version),
        [4],
      );
    } finally {
      await s.stop();
    }
    const audience = await ok('GET', `/v1/audiences/${segmentId}`, undefined, keys.sender);
    assert.deepEqual(
      audience.versions.map((v: { version: number }) => v.version),
      [3, 4],
    );
    assert.equal((await call('GET', `/v1/audiences/${segmentId}/export?version=2`, keys.sender)).status, 404);
    assert.deepEqual(await exported(segmentId, 4), await previewed());
  });

  it('two schedulers on one warehouse run a slot once', async () => {
    const [a, b] = [scheduler(), scheduler()];
    try {
      clock = eightAm(5) + MINUTE;
      const done = (await Promise.all([a.tick(), b.tick()])).flat();
      assert.deepEqual(
        done.map((r) => [r.slotMs, r.status]),
        [[eightAm(5), 'succeeded']],
      );
      assert.deepEqual((await Promise.all([a.tick(), b.tick()])).flat(), []);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    assert.equal((await runs()).filter((r: { slot: string }) => r.slot === new Date(eightAm(5)).toISOString()).length, 1);
    assert.ok(finished.every((r) => r.kind === 'segment_refresh' && r.workspaceId === WS && r.id === segmentId));
  });

  it('never overlaps a slow run: not in this process, not from another, and the latest slot runs after it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: number[] = [];
    const since = clock;
    const slow: ScheduleSource = {
      kind: 'test_slow',
      list: async () => [{ workspaceId: WS, id: 'slow', cron: '*/15 * * * *', since }],
      run: async (_wh, _ws, _id, slotMs) => {
        started.push(slotMs);
        if (started.length === 1) await gate;
        return { size: started.length };
      },
    };
    // Heartbeats every 20 ms (real time): each rewrites the running row at the fake clock's time.
    const a = startJobScheduler(t.wh, [slow], { everyMs: 0, heartbeatMs: 20 });
    const b = startJobScheduler(t.wh, [slow], { everyMs: 0, heartbeatMs: 20 });
    try {
      const slot = (ms: number) => ms - (ms % (15 * MINUTE));
      clock = slot(since) + 16 * MINUTE;
      const first = a.tick();
      while (started.length === 0) await new Promise((r) => setTimeout(r, 10));
      clock += 45 * MINUTE; // three more slots pass during the run
      await new Promise((r) => setTimeout(r, 200)); // a heartbeat at the new time
      assert.deepEqual(await a.tick(), [], 'this process: the job is in flight');
      assert.deepEqual(await b.tick(), [], 'another process: a run with a fresh heartbeat is in progress');
      release();
      assert.deepEqual(
        (await first).map((r) => r.status),
        ['succeeded'],
      );
      const next = await b.tick();
      assert.deepEqual(
        next.map((r) => r.slotMs),
        [slot(clock)],
        'once it ended, the latest slot runs, once',
      );
      assert.deepEqual(started, [slot(since) + 15 * MINUTE, slot(clock)]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('takes a run whose process died (no heartbeat) as failed, and goes on', async () => {
    const job = { kind: 'test_dead', workspaceId: WS, id: 'dead' };
    const ran: number[] = [];
    const source: ScheduleSource = {
      kind: job.kind,
      list: async () => [{ workspaceId: WS, id: job.id, cron: '0 * * * *', since: clock - 3 * HOUR }],
      run: async (_wh, _ws, _id, slotMs) => {
        ran.push(slotMs);
        return {};
      },
    };
    const hourStart = clock - (clock % HOUR);
    await writeRun(t.wh, job, { slotMs: hourStart - HOUR, startedMs: hourStart - HOUR, heartbeatMs: hourStart - HOUR + MINUTE, status: 'running' });
    const s = startJobScheduler(t.wh, [source], { everyMs: 0 });
    try {
      assert.deepEqual(
        (await s.tick()).map((r) => [r.slotMs, r.status]),
        [[hourStart, 'succeeded']],
      );
    } finally {
      await s.stop();
    }
    assert.deepEqual(ran, [hourStart]);
    const rows = await t.wh.query<{ slot_ms: string; status: string; error: string }>(
      `SELECT toUnixTimestamp64Milli(slot) AS slot_ms, argMax(status, version) AS status, argMax(error, version) AS error
       FROM schedule_runs WHERE workspace_id = {ws:String} AND job_kind = {kind:String} GROUP BY slot ORDER BY slot`,
      { ws: WS, kind: job.kind },
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.slot_ms), r.status]),
      [
        [hourStart - HOUR, 'failed'],
        [hourStart, 'succeeded'],
      ],
    );
    assert.match(rows[0]!.error, /^interrupted: no heartbeat since /);
  });

  it('records a failed run with the refusal it met, an engine error only as internal (logged), and moves on', async () => {
    const logged: unknown[] = [];
    const told: FinishedRun[] = [];
    const failing: ScheduleSource = {
      kind: 'test_failing',
      list: async () => [
        { workspaceId: WS, id: 'refused', cron: '0 * * * *', since: clock - 2 * HOUR },
        { workspaceId: WS, id: 'broken', cron: '0 * * * *', since: clock - 2 * HOUR },
      ],
      run: async (_wh, _ws, id) => {
        if (id === 'refused') throw errors.notFound('segment refused');
        throw new Error('Code: 62. DB::Exception: Syntax error: SELECT secret');
      },
    };
    const s = startJobScheduler(t.wh, [failing], { everyMs: 0, onError: (err) => void logged.push(err), onRunFinished: (r) => void told.push(r) });
    try {
      const done = await s.tick();
      assert.deepEqual(done.map((r) => [r.id, r.status, r.error]).sort(), [
        ['broken', 'failed', 'internal error (see the server log)'],
        ['refused', 'failed', 'segment refused not found'],
      ]);
      const byId = (a: FinishedRun, b: FinishedRun) => a.id.localeCompare(b.id);
      assert.deepEqual([...told].sort(byId), [...done].sort(byId), 'onRunFinished is told of every run');
      assert.deepEqual(
        logged.map((e) => (e as Error).message),
        ['Code: 62. DB::Exception: Syntax error: SELECT secret'],
      );
      assert.deepEqual(await s.tick(), [], 'a failed slot counts as run: the next slot is the next chance');
    } finally {
      await s.stop();
    }
  });

  it("answers another workspace's segment like a missing one, on every schedule route", async () => {
    for (const [method, url, body] of [
      ['PUT', `/v1/segments/${segmentId}/schedule`, { cron: '0 8 * * *' }],
      ['GET', `/v1/segments/${segmentId}/schedule`, undefined],
      ['DELETE', `/v1/segments/${segmentId}/schedule`, undefined],
      ['GET', `/v1/segments/${segmentId}/schedule/runs`, undefined],
      ['PUT', '/v1/segments/nope/schedule', { cron: '0 8 * * *' }],
    ] as const) {
      const res = await call(method, url, url.includes('nope') ? keys.marketer : keys.other, body);
      assert.deepEqual([res.status, res.json.code], [404, 'NOT_FOUND'], `${method} ${url}`);
    }
  });

  it('refuses a bad schedule with a 400 naming the field, and an analyst with a 403', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ cron: '*/5 * * * *' }, 'body.cron', /more often than every 15 minutes/],
      [{ cron: '0 25 * * *' }, 'body.cron', /not a 5-field cron expression/],
      [{ cron: '0 8 * *' }, 'body.cron', /not a 5-field cron expression/],
      [{ cron: '0 0 30 2 *' }, 'body.cron', /never fires/],
      [{ cron: '0 8 * * *', keep_versions: 0 }, 'body.keep_versions', /./],
      [{ cron: '0 8 * * *', keep_versions: 101 }, 'body.keep_versions', /./],
      [{ cron: '0 8 * * *', eligibility: { frequency_cap: 'yes' } }, 'body.eligibility.frequency_cap', /./],
      [{ keep_versions: 3 }, 'body.cron', /./],
    ];
    for (const [body, field, message] of cases) {
      const res = await call('PUT', `/v1/segments/${segmentId}/schedule`, keys.marketer, body);
      assert.deepEqual([res.status, res.json.code, res.json.field], [400, 'VALIDATION_FAILED', field], JSON.stringify(body));
      assert.match(res.json.message, message);
    }
    const analyst = await call('PUT', `/v1/segments/${segmentId}/schedule`, keys.analyst, { cron: '0 8 * * *' });
    assert.equal(analyst.status, 403);
  });

  it('stops refreshing once the schedule is deleted; its runs stay listed', async () => {
    assert.equal((await call('DELETE', `/v1/segments/${segmentId}/schedule`, keys.marketer)).status, 204);
    assert.equal((await call('GET', `/v1/segments/${segmentId}/schedule`, keys.marketer)).status, 404);
    assert.equal((await call('DELETE', `/v1/segments/${segmentId}/schedule`, keys.marketer)).status, 404);
    const s = scheduler();
    try {
      clock = eightAm(9) + MINUTE;
      assert.deepEqual(await s.tick(), []);
    } finally {
      await s.stop();
    }
    assert.equal((await runs()).length, 4);
  });

  it('smsp segment schedule and runs go through the server, and fail like the API', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-schedule-'));
    // Asynchronous: the server answering the command runs in this process.
    const smsp = (args: string[]) =>
      promisify(execFile)(process.execPath, ['bin/smsp.mjs', 'segment', ...args], {
        env: { ...process.env, DATA_DIR: dir, SMSP_URL: base, SMSP_API_KEY: keys.admin },
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    try {
      const set = await smsp(['schedule', segmentId, '--cron', '0 6 * * 1', '--keep-versions', '3', '--json']);
      assert.equal(set.code, 0, set.stderr);
      assert.deepEqual([JSON.parse(set.stdout).cron, JSON.parse(set.stdout).keep_versions, JSON.parse(set.stdout).timezone], ['0 6 * * 1', 3, NY]);
      const shown = await smsp(['schedule', segmentId]);
      assert.match(shown.stdout, new RegExp(`^segment ${segmentId}: "0 6 \\* \\* 1" in America/New_York, keeps 3 versions, next run 20`));
      const listed = await smsp(['runs', segmentId, '--json']);
      assert.deepEqual(JSON.parse(listed.stdout).runs, await runs());
      assert.match((await smsp(['runs', segmentId])).stdout, /^slot\s+status\s+size\s+version/);
      const tooOften = await smsp(['schedule', segmentId, '--cron', '*/5 * * * *']);
      assert.equal(tooOften.code, 2);
      assert.match(tooOften.stderr, /body\.cron: fires more often than every 15 minutes \[VALIDATION_FAILED\]/);
      const off = await smsp(['schedule', segmentId, '--off']);
      assert.deepEqual([off.code, off.stdout], [0, `segment ${segmentId}: schedule removed\n`]);
      assert.equal((await call('GET', `/v1/segments/${segmentId}/schedule`, keys.marketer)).status, 404);
      const again = await smsp(['schedule', segmentId, '--off']);
      assert.equal(again.code, 3, again.stderr);
      assert.match(again.stderr, /\[NOT_FOUND\]\n$/);
      assert.equal((await smsp(['runs', 'nope'])).code, 3);
      assert.equal((await smsp(['schedule', segmentId, '--cron', '0 6 * * *', '--off'])).code, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("posts each scheduled version to the segment's webhooks before pruning, so the notice counts the change", async () => {
    const received: { event: string; version: number; previous_version: number | null; size: number; added: number; removed: number }[] = [];
    const server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        received.push(JSON.parse(raw));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hooked = (await ok('POST', '/v1/segments', { name: 'hooked fans', rule: { tag: 'fan' } })).id;
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/smsp`;
    await ok('POST', `/v1/segments/${hooked}/webhooks`, { url });
    await ok('PUT', `/v1/segments/${hooked}/schedule`, { cron: '30 8 * * *', keep_versions: 1 });
    const s = scheduler();
    try {
      clock = eightAm(9) + 31 * MINUTE; // Friday 08:31 (the fans' own schedule is off by now)
      assert.deepEqual(
        (await s.tick()).map((r) => [r.id, r.version]),
        [[hooked, 1]],
      );
      await ok('POST', '/v1/tags', { removals: [{ user_id: 's00', tag: 'fan' }] });
      clock = eightAm(10) + 31 * MINUTE; // Saturday 08:31
      assert.deepEqual(
        (await s.tick()).map((r) => [r.id, r.version]),
        [[hooked, 2]],
      );
    } finally {
      await s.stop();
      await ok('DELETE', `/v1/segments/${hooked}/schedule`);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    assert.deepEqual(
      received.map((n) => [n.event, n.version, n.previous_version, n.size, n.added, n.removed]),
      [
        ['audience.version', 1, null, 9, 9, 0],
        ['audience.version', 2, 1, 8, 0, 1],
      ],
    );
    assert.deepEqual(noticeErrors, []);
    const audience = await ok('GET', `/v1/audiences/${hooked}`, undefined, keys.sender);
    assert.deepEqual(
      audience.versions.map((v: { version: number }) => v.version),
      [2],
      'keep_versions 1: only the newest is left',
    );
  });

  it('runs a second kind of job beside segment refreshes: a computed tag on its schedule', async () => {
    // A computed tag's schedule takes effect when it was saved (its changed_at, from the version clock).
    const def = await ok('POST', '/v1/computed-tags', { tag: 'sched_fan', rule: { tag: 'fan' }, schedule: '0 8 * * *' });
    const s = startJobScheduler(t.wh, [refreshes(), computedTagSchedules], { everyMs: 0 });
    try {
      clock = Date.parse(def.changed_at) + 25 * HOUR; // an 08:00 in New York has passed since
      const done = await s.tick();
      assert.deepEqual(
        done.map((r) => [r.kind, r.id, r.status, r.size]),
        [['computed_tag', def.id, 'succeeded', 8]],
      );
      assert.deepEqual(await s.tick(), []);
    } finally {
      await s.stop();
    }
    const tagged = await ok('POST', '/v1/segments/preview', { rule: { tag: 'sched_fan' }, sample: 100 });
    assert.deepEqual(tagged.sample.map((r: { user_id: string }) => r.user_id).sort(), await previewed());
  });
});
