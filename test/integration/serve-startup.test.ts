/**
 * `smsp serve` and `smsp status` as processes, the way an operator meets them: the first start shows the
 * demo's planted incident without anyone evaluating alerts; status with and without a server; and each
 * start-up failure provoked for real (another process holding the data directory, a database a newer
 * version migrated, a full disk on a tiny tmpfs), each one line with its code and exit code 5.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startServe, stopServe } from '../helpers/serve-process.ts';

const dirs: string[] = [];
const freshDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-startup-'));
  dirs.push(dir);
  return dir;
};
const envFor = (dataDir: string) => ({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ADMIN_API_KEY: '', CLICKHOUSE_URL: '', KAFKA_BROKERS: '' });
/** A system command (mount, umount), not a dependency of the project. */
const system = (command: string, ...args: string[]) => spawnSync(command, args, { encoding: 'utf8' });
const smsp = (args: string[], dataDir: string) => spawnSync(process.execPath, ['bin/smsp.mjs', ...args], { env: envFor(dataDir), encoding: 'utf8' });

/** One line `smsp: ... [CODE]`, exit code 5, no stack trace. */
function assertOneLine(run: ReturnType<typeof smsp>, code: string, pattern: RegExp) {
  assert.equal(run.status, 5, run.stderr);
  const last = run.stderr.trim().split('\n').at(-1)!;
  assert.match(last, new RegExp(`^smsp: .*\\[${code}\\]$`));
  assert.match(last, pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace without --verbose');
}

/** Starts test/helpers/hold-engine.ts on `dataDir`; resolves once it holds the engine. */
async function holdEngine(dataDir: string, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/hold-engine.ts', ...args], { env: envFor(dataDir) });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => c.toString().includes('open') && resolve());
    void exited.then(() => reject(new Error(`hold-engine exited: ${err}`)));
  });
  return { pid: child.pid, release: async () => (child.stdin.end(), await exited) };
}

describe('smsp serve: first start, status, start-up failures', () => {
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('serve --demo lists the planted China Telecom delivery alert without an evaluation request; status reads the server and then the engine', async () => {
    const dataDir = freshDir();
    const serve = await startServe(['--demo'], envFor(dataDir));
    try {
      const key = fs.readFileSync(path.join(dataDir, 'admin-api-key'), 'utf8').trim();
      type Listed = { alerts: { spec: { metric: string; breakdown_value?: string } }[] };
      let alerts: Listed['alerts'] = [];
      for (let i = 0; i < 120 && alerts.length === 0; i++) {
        const res = await fetch(`${serve.address}/v1/alerts?status=open`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(res.status, 200);
        alerts = ((await res.json()) as Listed).alerts;
        if (alerts.length === 0) await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(
        alerts.some((a) => a.spec.metric === 'delivery_rate' && a.spec.breakdown_value === 'China Telecom'),
        JSON.stringify(alerts.map((a) => a.spec)),
      );

      // Beside the server: status tells where it runs; a second serve is refused in one line.
      const status = smsp(['status'], dataDir);
      assert.equal(status.status, 0, status.stderr);
      assert.match(status.stdout, new RegExp(`^server\\s+running at ${serve.address} \\(pid ${serve.child.pid}, up \\d+m \\d\\ds\\)\n`));
      // The server answers for the whole installation (GET /v1/status), not only for where it runs.
      assert.match(status.stdout, /\nopen alerts\s+[1-9]/);
      const statusJson = JSON.parse(smsp(['status', '--json'], dataDir).stdout) as {
        server: { pid: number; address: string };
        engine: { kind: string };
        open_alerts: number;
      };
      assert.deepEqual([statusJson.server.pid, statusJson.server.address], [serve.child.pid, serve.address]);
      assert.deepEqual([statusJson.engine.kind, statusJson.open_alerts >= 1], ['embedded', true]);
      // Erasure and backup beside the server go through it (one process holds the engine).
      const erased = smsp(['erase', 'u0000001', '--json'], dataDir);
      assert.equal(erased.status, 0, erased.stderr);
      const erasure = JSON.parse(erased.stdout) as { user_hash: string; erased_by: string };
      assert.match(erasure.user_hash, /^sha256:[0-9a-f]{64}$/);
      assert.notEqual(erasure.erased_by, 'cli', 'the server erased it, with the root key');
      assert.equal(smsp(['erase', 'u0000001'], dataDir).status, 3, 'already erased: not found');
      const backupDir = path.join(dataDir, 'backups', 'first');
      const backup = smsp(['backup', backupDir, '--json'], dataDir);
      assert.equal(backup.status, 0, backup.stderr);
      const answer = JSON.parse(backup.stdout) as { dir: string; tables: { name: string; rows: string }[] };
      assert.equal(answer.dir, backupDir);
      assert.ok(Number(answer.tables.find((t) => t.name === 'events')?.rows) > 10_000);
      assert.ok(fs.existsSync(path.join(backupDir, 'smsp-backup.json')));
      assertOneLine(smsp(['restore', backupDir], dataDir), 'DATA_DIR_LOCKED', /is in use/);
      assertOneLine(
        smsp(['serve', '--port', '0'], dataDir),
        'DATA_DIR_LOCKED',
        new RegExp(`a server is running on it at ${serve.address} \\(pid ${serve.child.pid}\\)`),
      );
    } finally {
      assert.equal(await stopServe(serve), 0);
    }

    // No server: the command opens the engine itself and reports everything.
    const offline = smsp(['status', '--json'], dataDir);
    assert.equal(offline.status, 0, offline.stderr);
    const status = JSON.parse(offline.stdout);
    assert.equal(status.server.running, false);
    assert.equal(status.workspace, 'default');
    assert.deepEqual([status.engine.kind, status.engine.location], ['embedded', path.join(dataDir, 'chdb')]);
    assert.equal(status.migrations.pending, 0);
    assert.deepEqual(status.ingest, { kafka: false });
    assert.ok(status.open_alerts >= 1, 'the planted incident is open');
    assert.ok(status.data.tables.some((t: { table: string; rows: number }) => t.table === 'events' && t.rows > 10_000));
    const text = smsp(['status'], dataDir);
    assert.match(text.stdout, /^server\s+not running\nengine\s+embedded, /);
    assert.match(text.stdout, /\nopen alerts\s+[1-9]/);
  });

  it('serve refuses a data directory another process holds, then one a newer version migrated', async () => {
    const dataDir = freshDir();
    const holder = await holdEngine(dataDir, ['--newer']);
    try {
      assertOneLine(smsp(['serve', '--port', '0'], dataDir), 'DATA_DIR_LOCKED', /the data directory .* is in use: another smsp process has it open/);
    } finally {
      await holder.release();
    }
    const run = smsp(['serve', '--port', '0'], dataDir);
    assertOneLine(run, 'SCHEMA_TOO_NEW', /migrations this version of smsp does not know \(9999\): a newer version wrote it/);
    assert.doesNotMatch(run.stderr, /applied migrations/, 'nothing was migrated');
    const status = JSON.parse(smsp(['status', '--json'], dataDir).stdout);
    assert.deepEqual(status.migrations.unknown, ['9999']);
    assert.equal(status.migrations.latest, '9999');
    const verbose = smsp(['serve', '--port', '0', '--verbose'], dataDir);
    assert.match(verbose.stderr, /\[SCHEMA_TOO_NEW\]\n[^]*\n\s+at /, 'with --verbose, the stack follows');
  });

  it('serve on a full disk says so in one line (a 1 MiB tmpfs as the data directory)', (t) => {
    const dataDir = freshDir();
    const mounted = system('mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dataDir);
    if (mounted.status !== 0) {
      // The mapping itself is covered by test/unit/error-family.test.ts.
      t.skip(`cannot mount a tmpfs here: ${mounted.stderr.trim()}`);
      return;
    }
    try {
      assertOneLine(
        smsp(['serve', '--port', '0'], dataDir),
        'DISK_FULL',
        new RegExp(`the disk is full \\(.*\\); free space where the data lives \\(${dataDir}\\)`),
      );
    } finally {
      system('umount', dataDir);
    }
  });
});
