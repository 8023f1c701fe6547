/**
 * Analysts' SQL through a real listener: answers equal the API's own on demo data; a fuzz of hostile statements from
 * workspace A (other files, B's snapshot by path, traversal, ATTACH, extensions, COPY, SET, PRAGMA, URLs, several
 * statements) never yields a row of B, the host's files or the hashing salt; the time limit interrupts a cross join
 * while other requests are answered; a huge memory ask fails cleanly; refresh shows new events (rewriting only the
 * month that changed); a masked role never sees a full phone; CSV and Arrow carry the JSON answer's values; saved
 * queries are versioned and another workspace's answer as missing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { seedDemo } from '../../demo/seed.ts';
import { readManifest, variantDir } from '../../sandbox/snapshot-layout.ts';
import { SnapshotStore } from '../../sandbox/snapshots.ts';
import { fetchCaller, type CallAnswer, type Caller } from '../helpers/api-seed.ts';
import { startTestApp } from '../helpers/app.ts';

const t = await startTestApp('sql_sandbox', {
  SQL_SNAPSHOT_MAX_AGE_SECONDS: '3600',
  SQL_TIME_LIMIT_SECONDS: '3',
  SQL_MEMORY_LIMIT_MB: '256',
  SQL_MAX_ROWS: '500',
});
const A = 'sql_a';
const B = 'sql_b';
// Values only workspace B holds: none may ever come back to A.
const B_CAMPAIGN = 'CAMPAIGN_OF_B_7731';
const B_USER = 'user_of_b_7731';
const B_PHONE = '+8613900007731';
const B_MARKERS = [B_CAMPAIGN, B_USER, '13900007731'];

let base = '';
let call: Caller;
const key = { admin: '', analyst: '', marketer: '', bAdmin: '', bAnalyst: '' };

const ok = async (expected: number, method: string, url: string, k: string, body?: unknown, headers?: Record<string, string>): Promise<CallAnswer> => {
  const res = await call(method, url, k, body, headers);
  assert.equal(res.status, expected, `${method} ${url} ${JSON.stringify(body)}: ${res.text.slice(0, 500)}`);
  return res;
};
const sqlRows = async (k: string, query: string) => (await ok(200, 'POST', '/v1/sql', k, { query })).json.rows as unknown[][];

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !condition();) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The directory of a workspace's published snapshot generation. */
function generationDir(workspace: string, variant: 'full' | 'masked'): string {
  const dir = variantDir(t.config.sandbox.dir, t.wh.database, workspace, variant);
  const manifest = readManifest(dir);
  assert.ok(manifest, `no snapshot of ${workspace}/${variant}`);
  return path.join(dir, manifest.generation);
}

function bEvents(day: number) {
  return Array.from({ length: 5 }, (_, i) => ({
    event_id: `b-${day}-${i}`,
    type: 'send',
    ts: Date.now() - day * 86_400_000 - i * 1000,
    user_id: B_USER,
    phone: B_PHONE,
    campaign_id: B_CAMPAIGN,
    status: 'accepted',
  }));
}

describe('analysts SQL over HTTP', () => {
  before(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    call = fetchCaller(base);
    key.admin = await t.keyFor('admin', A);
    key.analyst = await t.keyFor('analyst', A);
    key.marketer = await t.keyFor('marketer', A);
    key.bAdmin = await t.keyFor('admin', B);
    key.bAnalyst = await t.keyFor('analyst', B);
    await seedDemo(t.wh, A, { contacts: 300, weeks: 2, seed: 7 });
    // An audience snapshot, so audience_members holds phones too.
    const segment = await ok(201, 'POST', '/v1/segments', key.admin, { name: 'vip', rule: { tag: 'vip' } });
    await ok(200, 'POST', `/v1/segments/${segment.json.id}/materialize`, key.admin, {});
    await ok(200, 'POST', '/v1/contacts', key.bAdmin, [{ user_id: B_USER, phone: B_PHONE, name: B_CAMPAIGN, attributes: { note: B_CAMPAIGN } }]);
    await ok(202, 'POST', '/v1/events', key.bAdmin, bEvents(1));
    await ok(200, 'POST', '/v1/tags', key.bAdmin, { assignments: [{ user_id: B_USER, tag: B_CAMPAIGN }] });
    // B's snapshots exist, so the fuzz below aims at real files.
    for (const k of [key.bAdmin, key.bAnalyst]) await ok(200, 'POST', '/v1/sql/snapshot', k);
    assert.deepEqual(await sqlRows(key.bAdmin, 'SELECT campaign_id, count(*) AS n FROM events GROUP BY 1'), [[B_CAMPAIGN, 5]]);
  });
  after(async () => {
    // The snapshots of this file's workspaces (the database is dropped by close).
    for (const ws of [A, B]) fs.rmSync(path.dirname(variantDir(t.config.sandbox.dir, t.wh.database, ws, 'full')), { recursive: true, force: true });
    await t.close();
  });

  it('counts events by type exactly as GET /v1/events/summary does', async () => {
    const summary = await ok(200, 'GET', '/v1/events/summary?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z', key.analyst);
    const rows = await sqlRows(key.analyst, 'SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type');
    assert.ok(rows.length >= 4, 'the demo has several event types');
    // The summary lists every type, with 0 for those that never happened; SQL has rows only for those that did.
    const happened = Object.entries(summary.json.events as Record<string, number>).filter(([, n]) => n > 0);
    assert.deepEqual(Object.fromEntries(rows), Object.fromEntries(happened));
    const snapshot = await ok(200, 'GET', '/v1/sql/snapshot', key.analyst);
    const total = Object.values(summary.json.events as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.equal(snapshot.json.variant, 'masked');
    assert.equal(snapshot.json.tables.find((x: { name: string }) => x.name === 'events').rows, total);
  });

  it("counts a segment preview's contacts exactly as POST /v1/segments/preview does", async () => {
    const preview = await ok(200, 'POST', '/v1/segments/preview', key.analyst, { rule: { tag: 'vip' } });
    assert.ok(preview.json.count > 0);
    const rows = await sqlRows(key.analyst, "SELECT count(DISTINCT c.user_id) FROM contacts c JOIN tags t ON t.user_id = c.user_id WHERE t.tag = 'vip'");
    assert.deepEqual(rows, [[preview.json.count]]);
  });

  it('refuses every hostile statement from A and never answers a row of B, a host file or the salt', async () => {
    const bFull = generationDir(B, 'full');
    const bFile = path.join(bFull, readManifest(path.dirname(bFull))!.tables[0]!.files[0]!);
    await sqlRows(key.analyst, 'SELECT 1');
    const aMasked = generationDir(A, 'masked');
    const root = t.config.sandbox.dir;
    const salt = fs.readFileSync(path.join(root, 'phone-hash-salt'), 'utf8').trim();
    const traversal = path.join(aMasked, '..', '..', '..', path.relative(root, bFull));
    const hostile = [
      `SELECT * FROM read_parquet('${bFile}')`,
      `SELECT * FROM read_parquet('${path.dirname(bFull)}/*/events/*.parquet')`,
      `SELECT * FROM read_parquet('${aMasked}/../../../${path.relative(root, bFull)}/events/*.parquet')`,
      `SELECT * FROM read_parquet('${traversal}/contacts.parquet')`,
      `SELECT * FROM read_parquet('file://${bFile}')`,
      `SELECT * FROM parquet_metadata('${bFile}')`,
      `SELECT * FROM read_csv('/etc/passwd')`,
      `SELECT * FROM read_text('/etc/passwd')`,
      `SELECT * FROM read_blob('/etc/passwd')`,
      `SELECT * FROM sniff_csv('/etc/passwd')`,
      `SELECT * FROM read_text('${root}/phone-hash-salt')`,
      `SELECT * FROM read_text('${path.dirname(aMasked)}/current.json')`,
      `SELECT * FROM glob('${root}/**')`,
      `SELECT * FROM glob('/*')`,
      `ATTACH '${bFile}' AS b`,
      `ATTACH ':memory:' AS m`,
      'INSTALL httpfs',
      'LOAD httpfs',
      "LOAD '/tmp/evil.duckdb_extension'",
      `COPY events TO '/tmp/sql-sandbox-leak.csv'`,
      `COPY (SELECT 1) TO '${aMasked}/written.csv'`,
      "EXPORT DATABASE '/tmp/sql-sandbox-export'",
      'SET enable_external_access = true',
      'RESET enable_external_access',
      "SET allowed_directories = ['/']",
      "SET memory_limit = '10GB'",
      'SET lock_configuration = false',
      "PRAGMA memory_limit = '10GB'",
      'PRAGMA enable_profiling',
      "SELECT getenv('HOME')",
      "SELECT * FROM read_parquet('https://example.com/x.parquet')",
      "SELECT * FROM read_csv('s3://bucket/x.csv')",
      `SELECT 1; SELECT * FROM read_parquet('${bFile}')`,
      `SELECT * FROM query('SELECT * FROM read_parquet(''${bFile}'')')`,
      'CREATE TABLE x AS SELECT 1',
      "CREATE MACRO leak() AS TABLE SELECT * FROM read_text('/etc/passwd')",
      'CALL pragma_version()',
      'DROP VIEW events',
    ];
    for (const role of [key.analyst, key.admin]) {
      for (const query of hostile) {
        const res = await call('POST', '/v1/sql', role, { query });
        assert.equal(res.status, 400, `${query}: ${res.text.slice(0, 300)}`);
        assert.equal(res.json.code, 'SQL_ERROR', query);
        assert.equal(res.json.field, 'body.query', query);
        for (const secret of [...B_MARKERS, 'root:x:0', salt]) assert.ok(!res.text.includes(secret), `${query} showed ${secret}`);
      }
    }
    assert.ok(!fs.existsSync('/tmp/sql-sandbox-leak.csv') && !fs.existsSync('/tmp/sql-sandbox-export'));
    assert.ok(!fs.readdirSync(aMasked).includes('written.csv'));
    // Whatever A's own views can reach, none of it is B's.
    const everything = await ok(200, 'POST', '/v1/sql', key.admin, {
      query:
        'SELECT (SELECT string_agg(DISTINCT campaign_id) FROM events) || (SELECT string_agg(DISTINCT user_id) FROM contacts) || (SELECT string_agg(DISTINCT tag) FROM tags) AS all_text',
    });
    for (const secret of B_MARKERS) assert.ok(!everything.text.includes(secret));
    const settings = await sqlRows(
      key.analyst,
      "SELECT value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration', 'autoload_known_extensions') ORDER BY name",
    );
    assert.deepEqual(settings, [['false'], ['false'], ['true']]);
  });

  it('points at the faulty spot of a DuckDB error and refuses other roles', async () => {
    const query = 'SELECT type,\n  count(*) AS n, nosuch_column\nFROM events GROUP BY type';
    const res = await ok(400, 'POST', '/v1/sql', key.analyst, { query });
    assert.equal(res.json.code, 'SQL_ERROR');
    assert.match(res.json.message, /nosuch_column/);
    assert.equal(res.json.position, query.indexOf('nosuch_column'));
    const zh = await ok(400, 'POST', '/v1/sql', key.analyst, { query }, { 'accept-language': 'zh-CN' });
    assert.match(zh.json.message, /^SQL 错误：/);
    assert.equal((await ok(400, 'POST', '/v1/sql', key.analyst, { query: 'SELEC 1' })).json.position, 0);
    await ok(403, 'POST', '/v1/sql', key.marketer, { query: 'SELECT 1' });
    await ok(401, 'POST', '/v1/sql', '', { query: 'SELECT 1' });
    assert.equal((await ok(400, 'POST', '/v1/sql', key.analyst, { query: '   ' })).json.field, 'body.query');
  });

  it('interrupts a minutes-long cross join at the time limit while answering other requests', async () => {
    const started = Date.now();
    const long = call('POST', '/v1/sql', key.analyst, {
      query: 'SELECT count(*) FROM range(10000000000) a, range(1000000) b WHERE a.range + b.range = 7',
    }).then((res) => ({ res, ms: Date.now() - started }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const quick = await ok(200, 'GET', '/v1/sql/snapshot', key.analyst);
    const quickSql = await sqlRows(key.admin, 'SELECT 42');
    const quickMs = Date.now() - started;
    assert.ok(quick.json.taken_at);
    assert.deepEqual(quickSql, [[42]]);
    const { res, ms } = await long;
    assert.equal(res.status, 504, res.text);
    assert.equal(res.json.code, 'QUERY_TIMEOUT');
    assert.ok(quickMs < ms, `the other requests (${quickMs} ms) were answered before the long one ended (${ms} ms)`);
    assert.ok(ms >= 2900 && ms < 20_000, `stopped after ${ms} ms`);
  });

  it('fails a 10 GB memory ask cleanly and keeps serving', async () => {
    const res = await ok(400, 'POST', '/v1/sql', key.analyst, { query: 'SELECT list(range) AS l FROM range(1300000000)' });
    assert.match(res.json.message, /Out of Memory/i);
    assert.deepEqual(await sqlRows(key.analyst, 'SELECT 1 + 1'), [[2]]);
    assert.equal((await call('GET', '/healthz', undefined as unknown as string)).status, 200);
  });

  it('cuts results at the row limit and says so; CSV and Arrow carry the same values', async () => {
    const big = await ok(200, 'POST', '/v1/sql', key.analyst, { query: 'SELECT range AS i FROM range(2000)' });
    assert.deepEqual([big.json.row_count, big.json.truncated, big.json.rows.at(-1)], [500, true, [499]]);
    const query = "SELECT 3::BIGINT AS n, 'a,\"b\"' AS s, TIMESTAMPTZ '2026-01-02 03:04:05.678+00' AS t, 1.5::DECIMAL(18,4) AS d, NULL AS z";
    const json = await ok(200, 'POST', '/v1/sql', key.analyst, { query });
    assert.deepEqual(json.json.rows, [[3, 'a,"b"', '2026-01-02T03:04:05.678Z', 1.5, null]]);
    const csv = await ok(200, 'POST', '/v1/sql', key.analyst, { query, format: 'csv' });
    assert.match(csv.headers['content-type'] ?? '', /^text\/csv/);
    assert.equal(csv.text, 'n,s,t,d,z\r\n3,"a,""b""",2026-01-02T03:04:05.678Z,1.5,\r\n');
    const arrow = await fetch(`${base}/v1/sql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.analyst}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, format: 'arrow' }),
    });
    assert.equal(arrow.headers.get('x-truncated'), 'false');
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
    const row = table.get(0)!.toJSON();
    assert.deepEqual([row.n, row.s, new Date(row.t as number).toISOString(), row.d, row.z], [3n, 'a,"b"', '2026-01-02T03:04:05.678Z', 1.5, null]);
  });

  it('shows new events after a refresh, rewriting only the month that changed', async () => {
    const count = async () => (await sqlRows(key.bAdmin, 'SELECT count(*) FROM events'))[0]![0];
    const before = await count();
    const oldDir = generationDir(B, 'full');
    // An old month (not the current one): the other months' files must come across untouched (hard links).
    const changed = new Date(Date.now() - 70 * 86_400_000);
    const changedMonth = changed.getUTCFullYear() * 100 + changed.getUTCMonth() + 1;
    const inode = (dir: string, month: number) => fs.statSync(path.join(dir, `events/${month}.parquet`)).ino;
    const kept = readManifest(path.dirname(oldDir))!.event_months.map((m) => m.month);
    assert.ok(!kept.includes(changedMonth) && kept.length > 0);
    const inodes = kept.map((m) => inode(oldDir, m));
    await ok(202, 'POST', '/v1/events', key.bAdmin, bEvents(70));
    assert.equal(await count(), before, 'a fresh snapshot is read until it is refreshed or stale');
    const refreshed = await ok(200, 'POST', '/v1/sql/snapshot', key.bAdmin);
    assert.equal(refreshed.json.tables.find((x: { name: string }) => x.name === 'events').rows, Number(before) + 5);
    assert.equal(await count(), Number(before) + 5);
    const newDir = generationDir(B, 'full');
    assert.notEqual(newDir, oldDir);
    assert.deepEqual(
      kept.map((m) => inode(newDir, m)),
      inodes,
    );
    assert.ok(fs.existsSync(path.join(newDir, `events/${changedMonth}.parquet`)));
    // Past the age limit, a query reads the snapshot it has while a new one is written behind it.
    const stale = new SnapshotStore(t.wh, { ...t.config.sandbox, maxAgeSeconds: 0 });
    await ok(202, 'POST', '/v1/events', key.bAdmin, bEvents(2));
    const lease = await stale.lease(B, 'full');
    lease.release();
    assert.equal(lease.manifest.generation, path.basename(newDir), 'the query did not wait for the refresh');
    await until(() => stale.current(B, 'full')!.generation !== lease.manifest.generation);
    assert.equal(stale.current(B, 'full')!.tables[0]!.rows, Number(before) + 10);
    // The superseded generation is gone once nothing reads it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(!fs.existsSync(oldDir));
  });

  it('never shows a masked role a full phone, while admins see them and both share the hash', async () => {
    const phones = (await t.wh.query<{ phone: string }>(`SELECT DISTINCT phone FROM contacts WHERE workspace_id = {w:String} AND phone != ''`, { w: A })).map(
      (r) => r.phone,
    );
    assert.ok(phones.length > 100);
    const dump = [
      'SELECT * FROM contacts',
      'SELECT * FROM events',
      'SELECT * FROM suppressions',
      'SELECT * FROM tags',
      'SELECT * FROM audience_members',
      'SELECT * FROM rfm_scores',
      'SELECT * FROM cluster_assignments',
    ];
    assert.ok(Number((await sqlRows(key.analyst, "SELECT count(*) FROM audience_members WHERE phone != ''"))[0]![0]) > 0);
    for (const query of dump) {
      const res = await call('POST', '/v1/sql', key.analyst, { query: `${query} LIMIT 500`, format: 'csv' });
      assert.equal(res.status, 200, res.text);
      for (const phone of phones) assert.ok(!res.text.includes(phone.replace(/^\+86/, '')), `${query} showed ${phone}`);
    }
    const pick = "SELECT phone, phone_hash FROM contacts WHERE phone != '' ORDER BY phone_hash LIMIT 3";
    const masked = await sqlRows(key.analyst, pick);
    const full = await sqlRows(key.admin, pick);
    assert.deepEqual(
      masked.map((r) => r[1]),
      full.map((r) => r[1]),
    );
    for (const [i, row] of full.entries()) {
      const digits = String(row[0]).replace(/^\+86/, '');
      assert.ok(phones.includes(String(row[0])));
      assert.equal(masked[i]![0], `${digits.slice(0, 3)}****${digits.slice(-4)}`);
    }
    // The masked snapshot's files never hold a full number, whatever reads them.
    const maskedDir = generationDir(A, 'masked');
    const onDisk = await sqlRows(key.admin, `SELECT count(*) FROM read_parquet('${maskedDir}/contacts.parquet')`).catch(() => 'refused');
    assert.equal(onDisk, 'refused', 'an admin cannot read the masked files by path either (only its own generation)');
  });

  it('saves queries with their chart, in versions, and answers another workspace as missing', async () => {
    const body = {
      name: 'sends by day',
      query: "SELECT date_trunc('day', ts) AS day, count(*) AS n FROM events GROUP BY 1 ORDER BY 1",
      chart: { type: 'line', x: 'day', y: ['n'] },
    };
    const saved = (await ok(201, 'POST', '/v1/sql/queries', key.analyst, body)).json;
    assert.deepEqual([saved.version, saved.name, saved.spec.chart], [1, 'sends by day', { type: 'line', x: 'day', y: ['n'] }]);
    const changed = (
      await ok(200, 'PUT', `/v1/sql/queries/${saved.id}`, key.admin, { ...body, chart: { type: 'bar', x: 'day', y: ['n'] } }, { 'if-match': '"1"' })
    ).json;
    assert.equal(changed.version, 2);
    await ok(409, 'PUT', `/v1/sql/queries/${saved.id}`, key.admin, body, { 'if-match': '"1"' });
    const versions = (await ok(200, 'GET', `/v1/sql/queries/${saved.id}/versions`, key.analyst)).json.versions;
    assert.deepEqual(
      versions.map((v: { version: number; spec: { chart: { type: string } } }) => [v.version, v.spec.chart.type]),
      [
        [2, 'bar'],
        [1, 'line'],
      ],
    );
    const bad = await ok(400, 'POST', '/v1/sql/queries', key.analyst, { ...body, chart: { type: 'line', y: ['n'] } });
    assert.equal(bad.json.field, 'body.chart.x');
    await ok(404, 'GET', `/v1/sql/queries/${saved.id}`, key.bAnalyst);
    await ok(404, 'PUT', `/v1/sql/queries/${saved.id}`, key.bAdmin, body);
    await ok(404, 'DELETE', `/v1/sql/queries/${saved.id}`, key.bAnalyst);
    assert.ok(!(await ok(200, 'GET', '/v1/sql/queries', key.bAnalyst)).json.queries.some((q: { id: string }) => q.id === saved.id));
    await ok(204, 'DELETE', `/v1/sql/queries/${saved.id}`, key.analyst);
    await ok(404, 'GET', `/v1/sql/queries/${saved.id}`, key.analyst);
    await ok(403, 'POST', '/v1/sql/queries', key.marketer, body);
  });

  it('drops an erased person at the next query, without waiting for the snapshot to age', async () => {
    const [[userId]] = (await sqlRows(key.admin, "SELECT user_id FROM contacts WHERE phone != '' ORDER BY user_id LIMIT 1")) as [[string]];
    const countOf = async () => (await sqlRows(key.admin, `SELECT count(*) FROM contacts WHERE user_id = '${userId}'`))[0]![0];
    assert.equal(await countOf(), 1);
    await ok(200, 'DELETE', `/v1/contacts/${encodeURIComponent(userId)}`, key.admin);
    assert.equal(await countOf(), 0);
    assert.deepEqual(await sqlRows(key.admin, `SELECT count(*) FROM events WHERE user_id = '${userId}'`), [[0]]);
  });
});
