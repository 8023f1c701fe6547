import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startServe, stopServe } from '../helpers/serve-process.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-cli-'));
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ADMIN_API_KEY: '', CLICKHOUSE_URL: '' };

/**
 * One demo data directory for the commands that read demo data (experiment results; segment and audience, which
 * only add a segment of their own): seeded once, by the first test that needs it, so each still runs alone.
 */
let demoDir: string | undefined;
function seededDemoDir(): string {
  if (!demoDir) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-cli-demo-'));
    const seeded = spawnSync(process.execPath, ['bin/smsp.mjs', 'seed-demo', '--contacts', '1500', '--weeks', '2'], {
      env: { ...env, DATA_DIR: dir },
      encoding: 'utf8',
    });
    assert.equal(seeded.status, 0, seeded.stderr);
    demoDir = dir;
  }
  return demoDir;
}
after(() => demoDir && fs.rmSync(demoDir, { recursive: true, force: true }));

describe('the smsp command (what `npm start` runs)', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('serve --demo migrates, prints a one-time admin key, loads demo data and answers over HTTP, then stops on SIGTERM', async () => {
    const serve = await startServe(['--demo', '--contacts', '300', '--weeks', '2'], env, { timeoutMs: 60_000 });
    const { address } = serve;
    try {
      const keyFile = path.join(dataDir, 'admin-api-key');
      const key = fs.readFileSync(keyFile, 'utf8').trim();
      assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
      assert.ok(serve.stderr().includes(key), 'the generated key is printed once');
      assert.deepEqual(await (await fetch(`${address}/healthz`)).json(), { status: 'ok' });
      const to = new Date(Date.now() + 86400_000).toISOString();
      const res = await fetch(`${address}/v1/events/summary?from=2020-01-01T00:00:00Z&to=${to}`, { headers: { authorization: `Bearer ${key}` } });
      const summary = (await res.json()) as { events: Record<string, number> };
      assert.ok(summary.events.send! > 100, JSON.stringify(summary));
      assert.ok(summary.events.delivery! > 0 && summary.events.click! > 0 && summary.events.conversion! > 0);

      // Beside it, seed-demo and migrate go through the server.
      const seeded = spawnSync(process.execPath, ['bin/smsp.mjs', 'seed-demo', '--contacts', '10', '--weeks', '1', '--workspace', 'side'], {
        env,
        encoding: 'utf8',
      });
      assert.equal(seeded.status, 0, seeded.stderr);
      const loaded = /^demo data in workspace "side": 10 contacts, \d+ tags, (\d+) events \(0 rejected\)/.exec(seeded.stdout);
      assert.ok(loaded && Number(loaded[1]) > 0, seeded.stdout);
      // Events may go through Kafka here (KAFKA_BROKERS, no workers in this server): the contacts show where the demo went.
      const sideContacts = await fetch(`${address}/v1/contacts?limit=100`, { headers: { authorization: `Bearer ${key}`, 'x-smsp-workspace': 'side' } });
      assert.equal(((await sideContacts.json()) as { contacts: unknown[] }).contacts.length, 10);
      const migrated = spawnSync(process.execPath, ['bin/smsp.mjs', 'migrate'], { env, encoding: 'utf8' });
      assert.equal(migrated.status, 0, migrated.stderr);
      assert.match(migrated.stdout, new RegExp(`^schema is up to date \\(the server at ${address} applied \\d+ migrations`));

      // A command with no HTTP equivalent on the same data directory: one readable line naming the server, no stack trace.
      // (restore needs the server stopped; rollups rebuild goes through the server: cli-client.test.ts.)
      const beside = spawnSync(process.execPath, ['bin/smsp.mjs', 'restore', path.join(dataDir, 'no-backup')], { env, encoding: 'utf8' });
      assert.equal(beside.status, 5, beside.stderr);
      assert.equal(beside.stderr.trim().split('\n').length, 1, beside.stderr);
      assert.match(
        beside.stderr,
        new RegExp(`^smsp: the data directory .* is in use: a server is running on it at ${address} \\(pid ${serve.child.pid}\\).*\\[DATA_DIR_LOCKED\\]\n$`),
      );
      const verbose = spawnSync(process.execPath, ['bin/smsp.mjs', 'restore', path.join(dataDir, 'no-backup'), '--verbose'], { env, encoding: 'utf8' });
      assert.equal(verbose.status, 5);
      assert.match(verbose.stderr, /\[DATA_DIR_LOCKED\]\n.*DataDirInUseError[^]*\n\s+at /, 'with --verbose, the stack follows');
    } finally {
      assert.equal(await stopServe(serve), 0);
      assert.ok(!fs.existsSync(path.join(dataDir, 'server.json')), 'a stopped server removes its record');
    }
  });

  it('serve on a port that is taken fails with one line saying so', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as net.AddressInfo).port;
      const run = spawnSync(process.execPath, ['bin/smsp.mjs', 'serve', '--port', String(port)], { env, encoding: 'utf8' });
      assert.equal(run.status, 5, run.stderr);
      assert.match(run.stderr, /(^|\n)smsp: listen EADDRINUSE.*choose another with --port or PORT \[PORT_IN_USE\]\n$/);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    } finally {
      taken.close();
    }
  });

  it('migrate is idempotent from the command line, and a bad flag or config is a clear error', () => {
    const run = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, ['bin/smsp.mjs', ...args], { env: { ...env, ...extra }, encoding: 'utf8' });
    assert.equal(run(['migrate']).stdout, 'schema is up to date\n');
    const unknown = run(['frobnicate']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command: frobnicate/);
    const badConfig = run(['migrate'], { EVENT_RETENTION_MONTHS: '6' });
    assert.equal(badConfig.status, 2);
    assert.match(badConfig.stderr, /EVENT_RETENTION_MONTHS must be at least 24/);
  });
});

describe('smsp import and serve --ingest', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-cli-import-'));
  const cliEnv = { ...env, DATA_DIR: dir };
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[]) => spawnSync(process.execPath, ['bin/smsp.mjs', ...args], { env: cliEnv, encoding: 'utf8' });

  it('imports a number list and an events file, printing reports', () => {
    const list = path.join(dir, 'numbers.txt');
    fs.writeFileSync(list, '13812345678\nnope\n13812345678\n13900000000\n');
    const contacts = run(['import', 'contacts', list, '--workspace', 'cli_ws', '--tag', 'nov_list', '--json']);
    assert.equal(contacts.status, 0, contacts.stderr);
    const report = JSON.parse(contacts.stdout);
    assert.deepEqual(
      [report.rows, report.imported, report.duplicates, report.invalid.lines],
      [4, 2, 1, [{ line: 2, reason: 'phone: "nope" is not a valid mobile number' }]],
    );
    const events = path.join(dir, 'events.ndjson');
    const ev = (id: string, type = 'send') => JSON.stringify({ event_id: id, type, ts: `${FIXTURE_YEAR}-11-20T10:00:00Z`, phone: '13812345678' });
    fs.writeFileSync(events, [ev('e1'), ev('e2'), '{broken', '', ev('e3', 'bogus'), ev('e1')].join('\n'));
    const out = run(['import', 'events', events, '--workspace', 'cli_ws', '--json']);
    assert.equal(out.status, 0, out.stderr);
    const er = JSON.parse(out.stdout);
    assert.deepEqual([er.lines, er.accepted, er.rejected.count], [6, 3, 2]);
    assert.deepEqual(
      er.rejected.lines.map((l: { line: number }) => l.line),
      [3, 5],
    );
    const missing = run(['import', 'contacts', path.join(dir, 'nope.csv')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such file/);
  });

  it('serve --ingest runs the Kafka workers in the server process: a posted event becomes queryable', async () => {
    const brokers = process.env.KAFKA_BROKERS;
    assert.ok(brokers, 'npm test starts a Kafka broker');
    const id = `cli_${process.pid}`;
    const serve = await startServe(
      ['--ingest'],
      {
        ...cliEnv,
        KAFKA_BROKERS: brokers,
        KAFKA_EVENTS_TOPIC: `events_${id}`,
        KAFKA_DEAD_LETTER_TOPIC: `dlq_${id}`,
        KAFKA_GROUP_ID: `group_${id}`,
        ADMIN_API_KEY: 'cli-test-admin-key-0123456789abcdef',
        INGEST_BATCH_WAIT_MS: '100',
      },
      { listening: /listening on (http:\/\/\S+) \(.*events via kafka, 1 ingest worker/ },
    );
    const { address } = serve;
    try {
      const auth = { authorization: 'Bearer cli-test-admin-key-0123456789abcdef', 'content-type': 'application/json' };
      const posted = await fetch(`${address}/v1/events`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify([{ event_id: 'via_kafka', type: 'click', ts: Date.now(), user_id: 'u1' }]),
      });
      assert.equal(posted.status, 202);
      const deadline = Date.now() + 30_000;
      let status = 0;
      while (Date.now() < deadline && status !== 200) {
        status = (await fetch(`${address}/v1/events/via_kafka`, { headers: auth })).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(status, 200, 'the in-process worker stored the event');
      assert.match(await (await fetch(`${address}/metrics`)).text(), /smsp_ingest_rows_inserted_total 1/);
    } finally {
      assert.equal(await stopServe(serve), 0);
    }
  });
});

describe('smsp experiment results', () => {
  it('prints the demo experiment as a table with a verdict', () => {
    const dir = seededDemoDir();
    const run = (args: string[]) => spawnSync(process.execPath, ['bin/smsp.mjs', ...args], { env: { ...env, DATA_DIR: dir }, encoding: 'utf8' });
    const out = run(['experiment', 'results', 'exp_title_question', '--metric', 'click']);
    assert.equal(out.status, 0, out.stderr);
    const lines = out.stdout.split('\n');
    assert.match(lines[0]!, /^Question-style title vs plain title \(exp_title_question\), metric click, days in Asia\/Shanghai/);
    assert.match(lines[1]!, /^variant\s+n\s+successes\s+rate\s+uplift/);
    assert.match(lines[3]!, /^control\s+\d+\s+\d+\s+\d+\.\d+%/);
    assert.match(lines[4]!, /^question\s+\d+\s+\d+/);
    assert.match(out.stdout, /SRM p = /);
    // Errors of the domain: one line naming the code, and the exit code of their kind.
    const missing = run(['experiment', 'results', 'nope']);
    assert.equal(missing.status, 3, missing.stderr);
    assert.ok(missing.stderr.includes('smsp: experiment nope not found [NOT_FOUND]\n'), missing.stderr);
  });
});

describe('smsp segment and audience', () => {
  it('previews a rule, materializes a segment and exports the whole audience as CSV', async () => {
    const dir = seededDemoDir();
    const run = (args: string[]) => spawnSync(process.execPath, ['bin/smsp.mjs', ...args], { env: { ...env, DATA_DIR: dir }, encoding: 'utf8' });
    const rule = { tag: 'interest', value: 'books' };
    const preview = run(['segment', 'preview', '--rule', JSON.stringify(rule), '--json']);
    assert.equal(preview.status, 0, preview.stderr);
    const { count } = JSON.parse(preview.stdout);
    assert.ok(count > 0);
    const invalid = run(['segment', 'preview', '--rule', '{"tag": 5}']);
    assert.equal(invalid.status, 2, invalid.stderr);
    assert.ok(invalid.stderr.includes('smsp: rule.tag: must be a tag name (1-64 characters) [VALIDATION_FAILED]\n'), invalid.stderr);
    // Segments are created through the API; here through the same service the route uses.
    const { openWarehouse } = await import('../../warehouse/warehouse.ts');
    const { loadConfig } = await import('../../config/config.ts');
    const { saveSegment } = await import('../../segmentation/segments.ts');
    const wh = await openWarehouse(loadConfig({ DATA_DIR: dir }).warehouse);
    const segment = await saveSegment(wh, 'default', { name: 'books', rule }, 'test');
    await wh.close();
    const materialized = run(['audience', 'materialize', segment.id, '--json']);
    assert.equal(materialized.status, 0, materialized.stderr);
    const size = JSON.parse(materialized.stdout).size;
    const out = path.join(dir, 'books.csv');
    const exported = run(['audience', 'export', segment.id, '--format', 'csv', '--fields', 'user_id,phone,name', '--out', out]);
    assert.equal(exported.status, 0, exported.stderr);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], '"user_id","phone","name"');
    assert.equal(lines.length - 1, size);
    assert.equal(new Set(lines.slice(1).map((l) => l.split(',')[0])).size, size, 'no duplicates');
  });
});
