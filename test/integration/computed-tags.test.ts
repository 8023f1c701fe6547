/**
 * Computed tags through a real listener: after a refresh, the contacts carrying the tag (read through a segment
 * preview of `{"tag": ...}` and, independently, from the tags table) are the preview of the defining rule (plus
 * contacts given the tag by another source), and the preview itself equals what the generated data says; after the
 * data changes, a refresh's added/removed counts and the new set follow. Other sources' tags survive; deleting a
 * definition takes its tag away; the bad paths answer 400/404/409.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededRandom } from '../../demo/random.ts';
import { computedTagSchedules } from '../../segmentation/computed-tags.ts';
import { fetchCaller, type CallAnswer, type Caller } from '../helpers/api-seed.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const DAY = 86_400_000;
const WS = 'ctags';
const OTHER_WS = 'ctags_other';
const CONTACTS = 80;
const ELECTRONICS = { event: 'conversion', where: [{ prop: 'category', op: 'eq', value: 'electronics' }], within_days: 90 };
const VIP_SHANGHAI = {
  all: [
    { attr: 'vip_level', op: 'gte', value: 2 },
    { attr: 'city', op: 'eq', value: '上海' },
  ],
};

const sorted = (ids: Iterable<string>) => [...ids].sort();
const union = (a: Iterable<string>, b: Iterable<string>) => sorted(new Set([...a, ...b]));

describe('computed tags', () => {
  let t: TestApp;
  let call: Caller;
  let base: string;
  /** The CLI's own data directory: empty, so it goes to SMSP_URL and never opens an engine. */
  const cliDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-ctags-'));
  const key = {} as Record<'admin' | 'marketer' | 'analyst' | 'sender' | 'other', string>;
  /** Contacts as generated: city, VIP level and the days ago of their electronics purchases. */
  const people = new Map<string, { city: string; vip: number; electronicsDaysAgo: number[] }>();

  const ok = async (status: number, method: string, path: string, who: string, body?: unknown): Promise<any> => {
    const res = await call(method, path, who, body);
    assert.equal(res.status, status, `${method} ${path}: ${res.text.slice(0, 400)}`);
    return res.json;
  };
  /** Every contact a rule matches now, through the preview route (the workspace has fewer than its 100-row sample). */
  const preview = async (rule: unknown): Promise<string[]> => {
    const body = await ok(200, 'POST', '/v1/segments/preview', key.marketer, { rule, sample: 100 });
    assert.equal(body.sample.length, body.count, 'the sample holds every match');
    return sorted(body.sample.map((r: { user_id: string }) => r.user_id));
  };
  /** The live rows of a tag straight from the tags table: user and source. */
  const tagRows = async (tag: string) =>
    t.wh.query<{ user_id: string; source: string }>(
      'SELECT user_id, source FROM tags FINAL WHERE workspace_id = {ws:String} AND tag = {tag:String} ORDER BY user_id',
      { ws: WS, tag },
    );
  const define = (body: object) => ok(201, 'POST', '/v1/computed-tags', key.marketer, body);
  const refresh = (id: string) => ok(200, 'POST', `/v1/computed-tags/${id}/refresh`, key.marketer);
  /** `smsp ...` as a separate process driving this test's listener (asynchronous: the listener is in this process). */
  const smsp = (args: string[], apiKey: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, DATA_DIR: cliDataDir, SMSP_URL: base, SMSP_API_KEY: apiKey, LOG_LEVEL: 'warn' };
      execFile(process.execPath, ['bin/smsp.mjs', ...args], { env, timeout: 120_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const refused = (res: CallAnswer, status: number, field?: string) => {
    assert.equal(res.status, status, res.text);
    if (field) assert.equal(res.json.field, field, res.text);
  };

  before(async () => {
    t = await startTestApp('computed_tags');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    call = fetchCaller(base);
    for (const role of ['admin', 'marketer', 'analyst', 'sender'] as const) key[role] = await t.keyFor(role, WS);
    key.other = await t.keyFor('marketer', OTHER_WS);

    const rnd = seededRandom(24);
    const now = Date.now();
    const contacts: object[] = [];
    const events: object[] = [];
    for (let i = 0; i < CONTACTS; i++) {
      const user = `c${String(i).padStart(2, '0')}`;
      const person = { city: rnd.pick(['上海', '北京', '广州']), vip: rnd.int(0, 3), electronicsDaysAgo: [] as number[] };
      people.set(user, person);
      contacts.push({ user_id: user, phone: `139${String(10_000_000 + i)}`, city: person.city, vip_level: person.vip });
      for (let k = rnd.int(0, 3); k > 0; k--) {
        // Purchases well inside or well outside the 90 days, so the window's edge never decides.
        const daysAgo = rnd.chance(0.6) ? rnd.int(1, 60) : rnd.int(100, 150);
        const category = rnd.pick(['electronics', 'books']);
        if (category === 'electronics') person.electronicsDaysAgo.push(daysAgo);
        const revenue = rnd.pick([19.9, 99, 499, 1999]);
        events.push({ event_id: `${user}_${k}`, type: 'conversion', ts: now - daysAgo * DAY, user_id: user, revenue, properties: { category } });
      }
    }
    await ok(200, 'POST', '/v1/contacts', key.admin, contacts);
    assert.deepEqual((await ok(202, 'POST', '/v1/events', key.sender, events)).rejected, []);
  });
  after(async () => {
    await t.close();
    fs.rmSync(cliDataDir, { recursive: true, force: true });
  });

  const buyersByData = () => sorted([...people].filter(([, p]) => p.electronicsDaysAgo.some((d) => d <= 90)).map(([u]) => u));

  it('electronics_buyer: the tagged set is the rule preview; a new purchase adds one; an imported tag survives', async () => {
    const buyers = buyersByData();
    const nonBuyers = sorted([...people.keys()].filter((u) => !buyers.includes(u)));
    assert.ok(buyers.length >= 10 && nonBuyers.length >= 10, `fixture: ${buyers.length} buyers`);
    assert.deepEqual(await preview(ELECTRONICS), buyers, 'the rule matches what the data says');

    // Tagged by an import before the definition exists: one buyer and one non-buyer.
    const imported = [buyers[0]!, nonBuyers[0]!];
    const csv = `user_id,tags\n${imported.map((u) => `${u},electronics_buyer`).join('\n')}\n`;
    const report = await call('POST', '/v1/contacts/import', key.marketer, csv, { 'content-type': 'text/csv' });
    assert.equal(report.status, 200, report.text);
    assert.equal(report.json.updated, 2, report.text);

    const def = await define({ tag: 'electronics_buyer', rule: ELECTRONICS });
    assert.deepEqual([def.spec.tag, def.spec.value, def.spec.schedule, def.spec.enabled, def.version], ['electronics_buyer', '', null, true, 1]);
    const first = await refresh(def.id);
    assert.deepEqual(
      { ...first, refreshed_at: undefined },
      { tag: 'electronics_buyer', value: '', members: buyers.length, added: buyers.length - 1, removed: 0, refreshed_at: undefined },
      'every buyer but the one the import tagged gains a computed row',
    );
    assert.ok(Math.abs(Date.parse(first.refreshed_at) - Date.now()) < 60_000);
    assert.deepEqual(await preview({ tag: 'electronics_buyer' }), union(buyers, imported));
    const rows = await tagRows('electronics_buyer');
    assert.deepEqual(sorted(rows.map((r) => r.user_id)), union(buyers, imported));
    for (const r of rows) assert.equal(r.source, imported.includes(r.user_id) ? 'import' : `computed:${def.id}`, r.user_id);

    // Nothing changed: nothing written.
    assert.deepEqual([(await refresh(def.id)).added, (await refresh(def.id)).removed], [0, 0]);

    // A non-buyer buys electronics: one added; the imported non-buyer keeps its tag.
    const newcomer = nonBuyers[1]!;
    const purchase = {
      event_id: 'late_buy',
      type: 'conversion',
      ts: Date.now() - 3 * DAY,
      user_id: newcomer,
      revenue: 5,
      properties: { category: 'electronics' },
    };
    await ok(202, 'POST', '/v1/events', key.sender, [purchase]);
    const expected = union(buyers, [newcomer]);
    assert.deepEqual(await preview(ELECTRONICS), expected);
    const second = await refresh(def.id);
    assert.deepEqual([second.members, second.added, second.removed], [expected.length, 1, 0]);
    assert.deepEqual(await preview({ tag: 'electronics_buyer' }), union(expected, imported));
    assert.deepEqual(sorted((await tagRows('electronics_buyer')).map((r) => r.user_id)), union(expected, imported));
  });

  it('vip_shanghai: a contact that stops matching loses the tag, one tagged by hand keeps it, usable in rules', async () => {
    const def = await define({ tag: 'vip_shanghai', rule: VIP_SHANGHAI, schedule: '0 8 * * *' });
    const members = sorted([...people].filter(([, p]) => p.vip >= 2 && p.city === '上海').map(([u]) => u));
    assert.ok(members.length >= 3, `fixture: ${members.length} members`);
    assert.deepEqual(await preview(VIP_SHANGHAI), members);
    const first = await refresh(def.id);
    assert.deepEqual([first.members, first.added, first.removed], [members.length, members.length, 0]);
    assert.deepEqual(await preview({ tag: 'vip_shanghai' }), members);
    // The tag works in rules like any tag, combined with others.
    const buyersNow = await preview(ELECTRONICS);
    assert.deepEqual(
      await preview({ all: [{ tag: 'vip_shanghai' }, ELECTRONICS] }),
      members.filter((u) => buyersNow.includes(u)),
    );

    // One member drops to VIP 0; another is tagged by hand (source manual) and then drops too.
    const [dropped, byHand] = members as [string, string];
    await ok(200, 'POST', '/v1/tags', key.marketer, { assignments: [{ user_id: byHand, tag: 'vip_shanghai', source: 'manual' }] });
    await ok(200, 'POST', '/v1/contacts', key.admin, [
      { user_id: dropped, vip_level: 0 },
      { user_id: byHand, vip_level: 1 },
    ]);
    const expected = members.filter((u) => u !== dropped && u !== byHand);
    assert.deepEqual(await preview(VIP_SHANGHAI), expected);
    // This refresh goes through the command line, which calls the server.
    const run = await smsp(['tags', 'computed', 'refresh', def.id, '--json'], key.marketer);
    assert.equal(run.code, 0, run.stderr);
    const second = JSON.parse(run.stdout);
    assert.deepEqual([second.tag, second.members, second.added, second.removed], ['vip_shanghai', expected.length, 0, 1]);
    const text = await smsp(['tags', 'computed', 'refresh', def.id], key.marketer);
    assert.equal(text.stdout, `vip_shanghai: ${expected.length} contacts match (+0 gained, -0 lost) at ${text.stdout.split(' at ')[1]}`);
    const missing = await smsp(['tags', 'computed', 'refresh', 'nope'], key.marketer);
    assert.equal(missing.code, 3, 'not found');
    assert.match(missing.stderr, /\[NOT_FOUND\]/);
    assert.deepEqual(await preview({ tag: 'vip_shanghai' }), union(expected, [byHand]));
    const rows = await tagRows('vip_shanghai');
    assert.deepEqual(
      rows.map((r) => [r.user_id, r.source]),
      union(expected, [byHand]).map((u) => [u, u === byHand ? 'manual' : `computed:${def.id}`]),
    );

    // The scheduler's source lists it (it has a schedule) and runs it.
    const jobs = await computedTagSchedules.list(t.wh);
    const job = jobs.find((j) => j.id === def.id);
    assert.deepEqual(job && { ...job, since: undefined }, { workspaceId: WS, id: def.id, cron: '0 8 * * *', since: undefined });
    assert.equal(job!.since, Date.parse(def.changed_at));
    assert.deepEqual(await computedTagSchedules.run(t.wh, WS, def.id, Date.now()), { size: expected.length });
  });

  it('high_value = RFM champions or loyal equals its preview; two refreshes at once write the changes once', async () => {
    await ok(200, 'POST', '/v1/rfm/compute', key.marketer, { window_days: 90, event: 'conversion' });
    const rule = { any: [{ rfm: { segment: 'champions' } }, { rfm: { segment: 'loyal' } }] };
    const members = await preview(rule);
    assert.ok(members.length > 0, 'some champions or loyal customers');
    const def = await define({ tag: 'high_value', rule });
    const both = await Promise.all([refresh(def.id), refresh(def.id)]);
    assert.deepEqual(
      sorted(both.map((r) => `${r.added}/${r.removed}/${r.members}`)),
      sorted([`${members.length}/0/${members.length}`, `0/0/${members.length}`]),
    );
    assert.deepEqual(await preview({ tag: 'high_value' }), members);
    assert.deepEqual(sorted((await tagRows('high_value')).map((r) => r.user_id)), members);
  });

  it('a new tag name takes the old one away; deleting a definition takes its tag away and leaves others', async () => {
    const def = await define({ tag: 'shanghai_a', value: 'yes', rule: { attr: 'city', op: 'eq', value: '上海' } });
    const shanghai = sorted([...people].filter(([, p]) => p.city === '上海').map(([u]) => u));
    assert.equal((await refresh(def.id)).added, shanghai.length);
    // A hand-given tag of the same name and value, on a contact outside the rule.
    const outsider = sorted([...people].filter(([, p]) => p.city !== '上海').map(([u]) => u))[0]!;
    await ok(200, 'POST', '/v1/tags', key.marketer, { assignments: [{ user_id: outsider, tag: 'shanghai_a', value: 'yes', source: 'api' }] });

    const renamed = await ok(200, 'PUT', `/v1/computed-tags/${def.id}`, key.marketer, {
      tag: 'shanghai_b',
      value: 'yes',
      rule: { attr: 'city', op: 'eq', value: '上海' },
    });
    assert.equal(renamed.version, 2);
    assert.deepEqual(await preview({ tag: 'shanghai_a', value: 'yes' }), [outsider], 'only the hand-given tag is left');
    assert.equal((await refresh(def.id)).added, shanghai.length);
    assert.deepEqual(await preview({ tag: 'shanghai_b' }), shanghai);

    const listed = await ok(200, 'GET', '/v1/computed-tags?limit=100', key.analyst);
    assert.ok(listed.computed_tags.some((d: { id: string; spec: { tag: string } }) => d.id === def.id && d.spec.tag === 'shanghai_b'));
    await ok(204, 'DELETE', `/v1/computed-tags/${def.id}`, key.marketer);
    assert.deepEqual(await preview({ tag: 'shanghai_b' }), []);
    assert.deepEqual(await preview({ tag: 'shanghai_a' }), [outsider]);
    refused(await call('GET', `/v1/computed-tags/${def.id}`, key.marketer), 404);
    refused(await call('POST', `/v1/computed-tags/${def.id}/refresh`, key.marketer), 404);
    refused(await call('DELETE', `/v1/computed-tags/${def.id}`, key.marketer), 404);
    assert.ok(!(await computedTagSchedules.list(t.wh)).some((j) => j.id === def.id));
  });

  it('refuses a tag that defines itself, a bad cron, a bad rule, a second definition of a tag; other workspaces see 404', async () => {
    const post = (body: object, who = key.marketer) => call('POST', '/v1/computed-tags', who, body);
    refused(await post({ tag: 'loop', rule: { any: [{ attr: 'vip_level', op: 'gte', value: 3 }, { tag: 'loop' }] } }), 400, 'body.rule.any[1].tag');
    refused(await post({ tag: 'loop', value: 'x', rule: { not: { tag: 'loop', value: 'x' } } }), 400, 'body.rule.not.tag');
    // Another value of the same tag is another tag.
    const ok2 = await post({ tag: 'loop', value: 'y', rule: { tag: 'loop', value: 'x' } });
    assert.equal(ok2.status, 201, ok2.text);
    for (const schedule of ['61 8 * * *', '0 0 8 * * *', '@daily', 'every day', '0 8 31 2 *', '', '*/5 * * * *'])
      refused(await post({ tag: 'daily', rule: { tag: 'vip' }, schedule }), 400, 'body.schedule');
    refused(await post({ tag: 'daily', rule: { attr: 'vip_level', op: 'near', value: 1 } }), 400, 'body.rule.op');
    refused(await post({ tag: 'daily', rule: { tag: 'vip' }, extra: 1 }), 400);
    refused(await post({ tag: 'electronics_buyer', rule: { tag: 'vip' } }), 409, 'body.tag');
    refused(await post({ tag: 'daily', rule: { tag: 'vip' } }, key.analyst), 403);

    const mine = await define({ tag: 'only_mine', rule: { tag: 'vip' }, schedule: '*/30 * * * *', enabled: false });
    assert.ok(!(await computedTagSchedules.list(t.wh)).some((j) => j.id === mine.id), 'a disabled schedule is not listed');
    const body = { tag: 'only_mine', rule: { tag: 'vip' } };
    refused(await call('GET', `/v1/computed-tags/${mine.id}`, key.other), 404);
    refused(await call('PUT', `/v1/computed-tags/${mine.id}`, key.other, body), 404);
    refused(await call('POST', `/v1/computed-tags/${mine.id}/refresh`, key.other), 404);
    refused(await call('DELETE', `/v1/computed-tags/${mine.id}`, key.other), 404);
    assert.deepEqual((await ok(200, 'GET', '/v1/computed-tags', key.other)).computed_tags, []);
    assert.equal((await ok(200, 'GET', `/v1/computed-tags/${mine.id}`, key.analyst)).spec.schedule, '*/30 * * * *');
  });
});
