/**
 * Audience version diffs: the members added and removed between two snapshots of a segment whose rule matches
 * other contacts after a tag change, checked against the set difference of the two snapshots' exports (read
 * independently through the export route), through a real listener, in every format, across pages, masked for roles
 * that may not see phones; and the 404s and 400s.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { maskPhone } from '../../common/phone.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const WS = 'diffs';

interface Row {
  change?: string;
  user_id: string;
  phone: string;
  name: string;
}

describe('audience diffs', () => {
  let t: TestApp;
  let base: string;
  const keys: Record<string, string> = {};
  let audienceId: string;

  const call = async (path: string, key = keys.admin!) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}`, 'accept-language': 'en' } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(res.status === 200 || res.status === 201, await res.clone().text());
    return res.json() as Promise<any>;
  };
  const ndjson = (bytes: Buffer): Row[] =>
    bytes
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  const csv = (bytes: Buffer): Row[] => {
    const [header, ...lines] = bytes.toString('utf8').trim().split('\n');
    const names = header!.split(',').map((x) => x.replace(/^"|"$/g, ''));
    return lines.map((l) => Object.fromEntries(l.split(',').map((x, i) => [names[i], x.replace(/^"|"$/g, '')])) as unknown as Row);
  };
  const arrow = (bytes: Buffer): Row[] =>
    tableFromIPC(bytes)
      .toArray()
      .map((r) => ({ change: String(r.change), user_id: String(r.user_id), phone: String(r.phone), name: String(r.name) }));
  const parse = { ndjson, csv, arrow };

  /** A snapshot's members read through the export route, by user_id. */
  const exported = async (version: number) => {
    const res = await call(`/v1/audiences/${audienceId}/export?version=${version}&fields=user_id,phone,name&limit=100000`);
    assert.equal(res.status, 200);
    return new Map(ndjson(res.bytes).map((r) => [r.user_id, r]));
  };
  /** The set difference of two exports, computed here: added from `to`, removed from `from`, in user_id order. */
  const expectedDiff = async (from: number, to: number) => {
    const [older, newer] = [await exported(from), await exported(to)];
    const added = [...newer.values()].filter((r) => !older.has(r.user_id)).map((r) => ({ change: 'added', ...r }));
    const removed = [...older.values()].filter((r) => !newer.has(r.user_id)).map((r) => ({ change: 'removed', ...r }));
    return [...added, ...removed].sort((a, b) => (a.user_id < b.user_id ? -1 : 1));
  };
  /** Every page of a diff, following X-Next-Cursor. */
  const allPages = async (query: string, format: keyof typeof parse, key?: string) => {
    const rows: Row[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call(`/v1/audiences/${audienceId}/diff?${query}&format=${format}&fields=user_id,phone,name${cursor ? `&cursor=${cursor}` : ''}`, key);
      assert.equal(res.status, 200, res.bytes.toString());
      rows.push(...parse[format](res.bytes));
      cursor = res.headers.get('x-next-cursor');
      pages++;
    } while (cursor);
    return { rows, pages };
  };

  before(async () => {
    t = await startTestApp('audience_diffs');
    for (const role of ['admin', 'analyst', 'sender'] as const) keys[role] = await t.keyFor(role, WS);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    // d38 and d39 have no phone: matched but excluded, so never in an export or a diff.
    const users = Array.from({ length: 40 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    await post(
      '/v1/contacts',
      users.map((u, i) => ({ user_id: u, name: `name ${i}`, ...(i < 38 && { phone: `138000000${String(i).padStart(2, '0')}` }) })),
    );
    await post('/v1/tags', { assignments: users.slice(0, 25).map((user_id) => ({ user_id, tag: 'hot' })) });
    const segment = await post('/v1/segments', { name: 'hot', rule: { tag: 'hot' } });
    audienceId = (await post(`/v1/segments/${segment.id}/materialize`, {})).audience_id;
    // Between the snapshots d00-d09 cool down and d25-d39 warm up.
    await post('/v1/tags', {
      assignments: users.slice(25).map((user_id) => ({ user_id, tag: 'hot' })),
      removals: users.slice(0, 10).map((user_id) => ({ user_id, tag: 'hot' })),
    });
    assert.equal((await post(`/v1/segments/${segment.id}/materialize`, {})).version, 2);
    // Version 3 is deleted: a diff against it is a 404.
    assert.equal((await post(`/v1/segments/${segment.id}/materialize`, {})).version, 3);
    const del = await fetch(`${base}/v1/audiences/${audienceId}/versions/3`, { method: 'DELETE', headers: { authorization: `Bearer ${keys.admin}` } });
    assert.equal(del.status, 204);
  });
  after(() => t.close());

  it('streams the set difference of the two exports over HTTP, with its counts', async () => {
    const expected = await expectedDiff(1, 2);
    assert.deepEqual(
      expected.map((r) => `${r.change} ${r.user_id}`),
      [...Array.from({ length: 10 }, (_, i) => `removed d0${i}`), ...Array.from({ length: 13 }, (_, i) => `added d${25 + i}`)],
      'the fixture: ten cooled down, thirteen sendable warmed up',
    );
    const res = await call(`/v1/audiences/${audienceId}/diff?from=1&to=2&fields=user_id,phone,name&limit=1000`, keys.sender);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /ndjson/);
    assert.deepEqual(ndjson(res.bytes), expected);
    assert.deepEqual([res.headers.get('x-added-count'), res.headers.get('x-removed-count'), res.headers.get('x-next-cursor')], ['13', '10', null]);
    assert.match(ndjson(res.bytes)[0]!.phone, /^\+86138\d{8}$/, 'senders get whole numbers');
    const summary = await call(`/v1/audiences/${audienceId}/diff/summary?from=1&to=2`, keys.sender);
    assert.deepEqual(JSON.parse(summary.bytes.toString()), { from: 1, to: 2, added: 13, removed: 10 });
    // Default fields: change, user_id, phone.
    const plain = await call(`/v1/audiences/${audienceId}/diff?from=1&to=2&limit=1`);
    assert.deepEqual(Object.keys(ndjson(plain.bytes)[0]!), ['change', 'user_id', 'phone']);
  });

  it('pages give the rows of one page, in NDJSON, CSV and Arrow alike', async () => {
    const expected = await expectedDiff(1, 2);
    for (const format of ['ndjson', 'csv', 'arrow'] as const) {
      const one = await allPages('from=1&to=2&limit=1000', format);
      assert.equal(one.pages, 1);
      assert.deepEqual(one.rows, expected, format);
      const paged = await allPages('from=1&to=2&limit=4', format);
      assert.equal(paged.pages, Math.ceil(expected.length / 4), format);
      assert.deepEqual(paged.rows, expected, `${format} across pages`);
    }
  });

  it('masks phones for a role that may not see them', async () => {
    const expected = await expectedDiff(1, 2);
    const { rows } = await allPages('from=1&to=2&limit=5', 'ndjson', keys.analyst);
    assert.deepEqual(
      rows,
      expected.map((r) => ({ ...r, phone: maskPhone(r.phone) })),
    );
    assert.match(rows[0]!.phone, /^138\*{4}\d{4}$/);
  });

  it('smsp audience diff writes the same rows through the server, and fails like the API', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-diff-'));
    // Asynchronous: the server answering the command runs in this process.
    const smsp = (args: string[]) =>
      promisify(execFile)(process.execPath, ['bin/smsp.mjs', 'audience', 'diff', audienceId, ...args], {
        env: { ...process.env, DATA_DIR: dir, SMSP_URL: base, SMSP_API_KEY: keys.admin },
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    try {
      const out = path.join(dir, 'diff.csv');
      const run = await smsp(['--from', '1', '--to', '2', '--format', 'csv', '--fields', 'user_id,phone,name', '--out', out]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /diffed 23 rows/);
      assert.deepEqual(csv(fs.readFileSync(out)), await expectedDiff(1, 2));
      const json = await smsp(['--from', '1', '--to', '2', '--json']);
      assert.deepEqual(
        ndjson(Buffer.from(json.stdout)).map((r) => `${r.change} ${r.user_id}`),
        (await expectedDiff(1, 2)).map((r) => `${r.change} ${r.user_id}`),
      );
      const older = await smsp(['--from', '2', '--to', '1']);
      assert.deepEqual([older.code, older.stdout], [2, '']);
      assert.match(older.stderr, /^smsp: .*from.*\[[A-Z_]+\]\n$/);
      const missing = await smsp(['--from', '1', '--to', '9']);
      assert.equal(missing.code, 3, missing.stderr);
      assert.match(missing.stderr, /\[NOT_FOUND\]\n$/);
      assert.equal((await smsp(['--from', '1'])).code, 2, 'a diff needs --to');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers an empty diff for from = to', async () => {
    const res = await call(`/v1/audiences/${audienceId}/diff?from=2&to=2`);
    assert.deepEqual([res.status, res.bytes.length, res.headers.get('x-added-count'), res.headers.get('x-removed-count')], [200, 0, '0', '0']);
    const summary = await call(`/v1/audiences/${audienceId}/diff/summary?from=1&to=1`);
    assert.deepEqual(JSON.parse(summary.bytes.toString()), { from: 1, to: 1, added: 0, removed: 0 });
  });

  it('answers 404 for a missing, deleted or foreign version or audience, and 400 naming the field', async () => {
    const error = async (path: string, key?: string) => {
      const res = await call(path, key);
      return { status: res.status, ...(JSON.parse(res.bytes.toString()) as { code: string; field?: string }) };
    };
    for (const route of ['diff', 'diff/summary']) {
      for (const [from, to] of [
        [1, 9],
        [1, 3],
        [8, 9],
      ])
        assert.equal((await error(`/v1/audiences/${audienceId}/${route}?from=${from}&to=${to}`)).status, 404, `${route} ${from}..${to}`);
      assert.equal((await error(`/v1/audiences/nope/${route}?from=1&to=2`)).status, 404);
      const foreign = await error(`/v1/audiences/${audienceId}/${route}?from=1&to=2`, await t.keyFor('admin', 'diffs_other'));
      const missing = await error(`/v1/audiences/nope/${route}?from=1&to=2`, await t.keyFor('admin', 'diffs_other'));
      assert.deepEqual([foreign.status, foreign.code], [missing.status, missing.code], 'another workspace answers like a missing audience');
      const older = await error(`/v1/audiences/${audienceId}/${route}?from=2&to=1`);
      assert.deepEqual([older.status, older.field], [400, 'querystring.from']);
      assert.equal((await error(`/v1/audiences/${audienceId}/${route}?to=2`)).status, 400);
    }
    const fields = await error(`/v1/audiences/${audienceId}/diff?from=1&to=2&fields=user_id,password`);
    assert.deepEqual([fields.status, fields.field], [400, 'querystring.fields']);
    // A cursor belongs to the diff that issued it: not to an export, nor to another pair of snapshots.
    const exportCursor = (await call(`/v1/audiences/${audienceId}/export?version=1&limit=1`)).headers.get('x-next-cursor')!;
    const diffCursor = (await call(`/v1/audiences/${audienceId}/diff?from=1&to=2&limit=1`)).headers.get('x-next-cursor')!;
    for (const [query, cursor] of [
      ['from=1&to=2', exportCursor],
      ['from=2&to=2', diffCursor],
    ]) {
      const res = await error(`/v1/audiences/${audienceId}/diff?${query}&cursor=${cursor}`);
      assert.deepEqual([res.status, res.field], [400, 'querystring.cursor']);
    }
  });
});
