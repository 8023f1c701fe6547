/**
 * The CLI as a client of a running server (issue 16): every command with an HTTP equivalent, run as a process
 * beside `smsp serve` (through its record and the saved admin key), through SMSP_URL/SMSP_API_KEY, and offline on
 * the same data once the server stopped; text and --json outputs are equal (only ids and secrets that must
 * differ are normalised). Error answers map to the same exit codes; a root key alone may name another workspace.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServe, stopServe, type ServeProcess } from '../helpers/serve-process.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-cli-client-'));
// No Kafka here (npm test sets KAFKA_BROKERS for the Kafka tests): events posted through the server are stored at once.
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ADMIN_API_KEY: '', CLICKHOUSE_URL: '', SMSP_URL: '', SMSP_API_KEY: '', KAFKA_BROKERS: '' };

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function smsp(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Run {
  const run = spawnSync(process.execPath, ['bin/smsp.mjs', ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function ok(run: Run): string {
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

/** One failure line `smsp: ... [CODE]` and its exit code. */
function failed(run: Run, exitCode: number, code: string): void {
  assert.equal(run.status, exitCode, run.stderr);
  assert.equal(run.stdout, '', 'nothing on stdout');
  assert.match(run.stderr, new RegExp(`(^|\\n)smsp: .*\\[${code}\\]\\n$`));
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
}

/** A contact file: 3 new contacts, a repeat of the first, an invalid number (`prefix`: the first 5 digits of the numbers). */
function contactFile(name: string, prefix: string): string {
  const file = path.join(dataDir, name);
  fs.writeFileSync(file, `phone,name,city\n${prefix}000001,A,上海\n${prefix}000002,B,北京\n${prefix}000003,C,深圳\n${prefix}000001,A,上海\n12345,bad,x\n`);
  return file;
}

/** An event file: 2 good events, a line that is not JSON, an unknown type, a blank line. */
function eventFile(name: string, prefix: string): string {
  const file = path.join(dataDir, name);
  const ts = new Date(Date.now() - 3600_000).toISOString();
  const lines = [
    JSON.stringify({ event_id: `${prefix}-1`, type: 'click', ts, user_id: `${prefix}-u1` }),
    '{not json',
    JSON.stringify({ event_id: `${prefix}-2`, type: 'send', ts, user_id: `${prefix}-u2` }),
    JSON.stringify({ event_id: `${prefix}-3`, type: 'teleport', ts, user_id: `${prefix}-u3` }),
    '',
  ];
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** What each command prints, in one mode (beside the server, through SMSP_URL, or offline). */
type Outputs = Record<string, string>;
/** The demo's vip segment, created through the API before the runs. */
let segmentId = '';

/** Runs every command once (`only`: some of them); `suffix` and `prefix` make this round's files new to the imports. */
function runAll(extraEnv: NodeJS.ProcessEnv, suffix: string, prefix: string, only?: string[]): Outputs {
  const out: Outputs = {};
  const wanted = (name: string) => !only || only.includes(name);
  if (wanted('previewText')) out.previewText = ok(smsp(['segment', 'preview', '--rule', '{"tag":"vip"}'], extraEnv));
  if (wanted('previewJson')) out.previewJson = ok(smsp(['segment', 'preview', '--rule', '{"tag":"vip"}', '--json'], extraEnv));
  if (wanted('experimentText')) out.experimentText = ok(smsp(['experiment', 'results', 'exp_title_question'], extraEnv));
  if (wanted('experimentJson')) out.experimentJson = ok(smsp(['experiment', 'results', 'exp_title_question', '--metric', 'click', '--json'], extraEnv));
  if (wanted('materializeJson'))
    out.materializeJson = ok(smsp(['audience', 'materialize', segmentId, '--eligibility', '{"new_user_rule":true}', '--json'], extraEnv));
  if (wanted('exportCsv')) out.exportCsv = ok(smsp(['audience', 'export', segmentId, '--version', '1', '--fields', 'user_id,phone,city'], extraEnv));
  if (wanted('exportJson')) out.exportJson = ok(smsp(['audience', 'export', segmentId, '--version', '1', '--json'], extraEnv));
  if (wanted('importContactsText'))
    out.importContactsText = ok(smsp(['import', 'contacts', contactFile(`c-text-${suffix}.csv`, `${prefix}1`), '--tag', 'list'], extraEnv));
  if (wanted('importContactsJson'))
    out.importContactsJson = ok(smsp(['import', 'contacts', contactFile(`c-json-${suffix}.csv`, `${prefix}2`), '--json'], extraEnv));
  if (wanted('importEventsText')) out.importEventsText = ok(smsp(['import', 'events', eventFile(`e-text-${suffix}.ndjson`, `${suffix}-t`)], extraEnv));
  if (wanted('importEventsJson'))
    out.importEventsJson = ok(smsp(['import', 'events', eventFile(`e-json-${suffix}.ndjson`, `${suffix}-j`), '--json'], extraEnv));
  if (wanted('keyText')) out.keyText = ok(smsp(['keys', 'create', '--name', 'cli', '--role', 'analyst'], extraEnv));
  if (wanted('keyJson')) out.keyJson = ok(smsp(['keys', 'create', '--name', 'cli', '--role', 'sender', '--workspace', 'other', '--json'], extraEnv));
  return out;
}

/** Only what must differ: a new audience version, an import's id, a key's secret and id; JSON documents are compared as values. */
function normalised(out: Outputs): Record<string, unknown> {
  const json = (name: string, fixed: Record<string, unknown> = {}) => out[name] !== undefined && { [name]: { ...JSON.parse(out[name]!), ...fixed } };
  return {
    ...out,
    ...json('previewJson'),
    ...json('experimentJson'),
    ...json('importEventsJson'),
    ...json('materializeJson', { version: 'N' }),
    ...json('importContactsJson', { import_id: 'ID' }),
    ...json('keyJson', { key: 'KEY', key_id: 'ID' }),
    ...(out.keyText !== undefined && { keyText: out.keyText.replace(/^smsp_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\n$/, 'KEY') }),
  };
}
/** Through SMSP_URL: the commands that show the remote path works (the full set runs beside the server and offline). */
const REMOTE = ['previewJson', 'experimentText', 'exportJson', 'importContactsJson', 'importEventsJson', 'keyJson'];

describe('the CLI beside a running server, through SMSP_URL, and offline', () => {
  let serve: ServeProcess;
  let rootKey: string;
  let analystKey: string;
  let otherAdminKey: string;
  // What every command prints beside the server: run once, by the first test that needs it (none relies on order).
  let besideRun: Outputs | undefined;
  const beside = () => (besideRun ??= runAll({}, 'beside', '1391'));

  const api = async (method: string, route: string, key: string, body?: unknown, headers: Record<string, string> = {}) => {
    const send = () =>
      fetch(`${serve.address}/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    // Again on a new connection when the server closed idle kept-alive ones while the commands ran (the pool
    // may hold more than one).
    const res = await send().catch(send).catch(send);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    serve = await startServe(['--demo', '--contacts', '300', '--weeks', '2'], env, { timeoutMs: 120_000 });
    rootKey = fs.readFileSync(path.join(dataDir, 'admin-api-key'), 'utf8').trim();
    const segment = await api('POST', '/segments', rootKey, { name: 'VIPs', rule: { tag: 'vip' } });
    assert.equal(segment.status, 201, JSON.stringify(segment.body));
    segmentId = String(segment.body.id);
    analystKey = String((await api('POST', '/keys', rootKey, { name: 'analyst', role: 'analyst' })).body.key);
    otherAdminKey = String((await api('POST', '/keys', rootKey, { name: 'other admin', role: 'admin', workspace: 'other' })).body.key);
  });

  after(async () => {
    if (serve) await stopServe(serve);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs every command beside the server and through SMSP_URL/SMSP_API_KEY', () => {
    const besideOut = beside();
    const remote = runAll({ SMSP_URL: serve.address, SMSP_API_KEY: rootKey, DATA_DIR: path.join(dataDir, 'elsewhere') }, 'remote', '1392', REMOTE);
    const preview = JSON.parse(besideOut.previewJson!) as { count: number; timezone: string; sample: { user_id: string; phone: string }[] };
    assert.ok(preview.count > 0 && preview.sample.length === Math.min(10, preview.count), besideOut.previewJson!);
    assert.match(preview.sample[0]!.phone, /^\+86\d{11}$/, 'the root key sees whole numbers');
    assert.equal(besideOut.previewJson!.split('\n').length, 2, 'one JSON document and a newline');
    assert.match(besideOut.previewText!, new RegExp(`^${preview.count} contacts match \\(dates in ${preview.timezone}\\)\\n`));
    const report = JSON.parse(besideOut.importContactsJson!);
    assert.deepEqual(
      { rows: report.rows, imported: report.imported, duplicates: report.duplicates, invalid: report.invalid.count },
      { rows: 5, imported: 3, duplicates: 1, invalid: 1 },
    );
    assert.deepEqual(JSON.parse(besideOut.importEventsJson!), {
      lines: 5,
      accepted: 2,
      rejected: { count: 2, lines: [{ line: 2, reason: 'not valid JSON' }, JSON.parse(besideOut.importEventsJson!).rejected.lines[1]] },
    });
    assert.equal(JSON.parse(besideOut.importEventsJson!).rejected.lines[1].line, 4);
    const csv = besideOut.exportCsv!.split('\n').filter(Boolean);
    assert.equal(csv[0], '"user_id","phone","city"');
    assert.equal(besideOut.exportJson!.split('\n').filter(Boolean).length, csv.length - 1, 'NDJSON: one line per row');
    assert.equal(JSON.parse(besideOut.keyJson!).workspace, 'other');
    const besideSubset = Object.fromEntries(Object.entries(normalised(besideOut)).filter(([name]) => REMOTE.includes(name)));
    assert.deepEqual(normalised(remote), besideSubset);
  });

  it('the imported data is in the server (the commands did not open the engine)', async () => {
    beside();
    const contacts = await api('GET', `/contacts/${encodeURIComponent('+8613912000002')}`, rootKey);
    assert.equal(contacts.status, 200, JSON.stringify(contacts.body));
    const event = await api('GET', '/events/beside-t-1?type=click', rootKey);
    assert.equal(event.status, 200);
  });

  it('maps error answers to the catalogue exit codes, as offline', () => {
    failed(smsp(['experiment', 'results', 'nope']), 3, 'NOT_FOUND');
    failed(smsp(['audience', 'export', segmentId, '--version', '99']), 3, 'NOT_FOUND');
    failed(smsp(['segment', 'preview', '--rule', '{"tag":""}']), 2, 'VALIDATION_FAILED');
    failed(smsp(['segment', 'preview', '--rule', '{"tag":"vip"}'], { SMSP_URL: serve.address, SMSP_API_KEY: 'smsp_nope' }), 4, 'UNAUTHORIZED');
    failed(smsp(['segment', 'preview', '--rule', '{"tag":"vip"}'], { SMSP_URL: serve.address }), 2, 'USAGE');
  });

  it('a root key may name another workspace; any other key is refused and never reaches it', async () => {
    // The root key imported contacts into "other" (beside the server, X-Smsp-Workspace).
    ok(smsp(['import', 'contacts', contactFile('other.csv', '13930'), '--tag', 'vip', '--workspace', 'other', '--json']));
    const inOther = JSON.parse(ok(smsp(['segment', 'preview', '--rule', '{"tag":"vip"}', '--workspace', 'other', '--json'])));
    assert.equal(inOther.count, 3);
    // An analyst of "default" naming "other": 403, through the CLI and the API.
    const asAnalyst = { SMSP_URL: serve.address, SMSP_API_KEY: analystKey };
    failed(smsp(['segment', 'preview', '--rule', '{"tag":"vip"}', '--workspace', 'other'], asAnalyst), 4, 'FORBIDDEN');
    const direct = await api('POST', '/segments/preview', analystKey, { rule: { tag: 'vip' } }, { 'x-smsp-workspace': 'other' });
    assert.equal(direct.status, 403);
    assert.equal(direct.body.statusCode, 403);
    // An admin of "other" (not root) cannot reach "default" either; naming its own workspace is allowed.
    const otherAdmin = await api('POST', '/segments/preview', otherAdminKey, { rule: { tag: 'vip' } }, { 'x-smsp-workspace': 'default' });
    assert.equal(otherAdmin.status, 403);
    assert.doesNotMatch(JSON.stringify(otherAdmin.body), /\+86/);
    const own = await api('POST', '/segments/preview', otherAdminKey, { rule: { tag: 'vip' } }, { 'x-smsp-workspace': 'other' });
    assert.equal(own.body.count, 3);
    const badName = await api('POST', '/segments/preview', rootKey, { rule: { tag: 'vip' } }, { 'x-smsp-workspace': '../Default' });
    assert.equal(badName.status, 400);
    assert.equal(badName.body.field, 'headers.x-smsp-workspace');
    // Without the header the analyst reads its own workspace.
    const ownPreview = JSON.parse(ok(smsp(['segment', 'preview', '--rule', '{"tag":"vip"}', '--json'], asAnalyst)));
    assert.ok(ownPreview.count > 3);
  });

  it('rollups rebuild goes through the server with the root key; another key is refused', () => {
    const rebuilt = JSON.parse(ok(smsp(['rollups', 'rebuild', '--json']))) as { rebuilt: { tables: string[] }[] };
    assert.deepEqual(
      rebuilt.rebuilt.map((r) => r.tables.join(', ')),
      ['contact_daily, contact_daily_dims', 'metrics_hourly', 'metrics_hourly_slim'],
    );
    failed(smsp(['rollups', 'rebuild'], { SMSP_URL: serve.address, SMSP_API_KEY: analystKey }), 4, 'FORBIDDEN');
  });

  it('a server that is recorded (or named) but does not answer: one line, exit 5', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    failed(
      smsp(['keys', 'create', '--name', 'x', '--role', 'admin'], { SMSP_URL: `http://127.0.0.1:${port}`, SMSP_API_KEY: rootKey }),
      5,
      'SERVER_UNREACHABLE',
    );
    // A live process named smsp holding a record whose address answers nothing (a hung or half-started server).
    const stale = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-stale-'));
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'smsp'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(stale, 'server.json'), JSON.stringify({ pid: holder.pid, address: `http://127.0.0.1:${port}`, started_at: '' }));
      fs.writeFileSync(path.join(stale, 'admin-api-key'), `${rootKey}\n`);
      failed(smsp(['segment', 'preview', '--rule', '{"tag":"vip"}'], { DATA_DIR: stale }), 5, 'SERVER_UNREACHABLE');
      fs.rmSync(path.join(stale, 'admin-api-key'));
      failed(smsp(['segment', 'preview', '--rule', '{"tag":"vip"}'], { DATA_DIR: stale }), 2, 'SERVER_KEY_MISSING');
    } finally {
      holder.kill();
      fs.rmSync(stale, { recursive: true, force: true });
    }
  });

  it('offline, on the same data once the server stopped, the same commands print the same', async () => {
    const besideOut = beside();
    assert.equal(await stopServe(serve), 0);
    const offline = runAll({}, 'offline', '1393');
    assert.deepEqual(normalised(offline), normalised(besideOut));
    failed(smsp(['experiment', 'results', 'nope']), 3, 'NOT_FOUND');
    failed(smsp(['audience', 'export', segmentId, '--version', '99']), 3, 'NOT_FOUND');
    failed(smsp(['segment', 'preview', '--rule', '{"tag":""}']), 2, 'VALIDATION_FAILED');
  });
});
