/**
 * `smsp backup` and `smsp restore` as processes, offline (each owns its data directory): a full and an incremental
 * backup of a directory, restored into another one; the restore prints the same tables, rows and checksums the
 * backup did, refuses a non-empty database with the refusal exit code, and replaces it with --force.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

describe('smsp backup and smsp restore as processes', () => {
  const source = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-backup-src-'));
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-backup-dst-'));
  const backups = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-backups-'));
  const smsp = (dataDir: string, ...args: string[]) =>
    spawnSync(process.execPath, ['bin/smsp.mjs', ...args], {
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ADMIN_API_KEY: '', CLICKHOUSE_URL: '' },
      encoding: 'utf8',
    });
  after(() => {
    for (const dir of [source, target, backups]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips a data directory through a full and an incremental backup', () => {
    const file = path.join(source, 'events.ndjson');
    const write = (from: number, n: number) =>
      fs.writeFileSync(
        file,
        Array.from({ length: n }, (_, i) =>
          JSON.stringify({ event_id: `e${from + i}`, type: 'send', ts: `${FIXTURE_YEAR}-10-01T00:00:00Z`, user_id: `u${i}` }),
        ).join('\n'),
      );
    write(0, 30);
    assert.equal(smsp(source, 'import', 'events', file, '--workspace', 'ws_cli').status, 0);
    const fullRun = smsp(source, 'backup', path.join(backups, 'full'));
    assert.equal(fullRun.status, 0, fullRun.stderr);
    assert.match(fullRun.stdout, /^ {2}events +30 rows/m);
    write(30, 12);
    assert.equal(smsp(source, 'import', 'events', file, '--workspace', 'ws_cli').status, 0);
    const incrRun = smsp(source, 'backup', path.join(backups, 'incr'), '--base', path.join(backups, 'full'));
    assert.equal(incrRun.status, 0, incrRun.stderr);
    assert.match(incrRun.stdout, /incremental on .*full/);
    assert.match(incrRun.stdout, /^ {2}events +42 rows/m);

    const restored = smsp(target, 'restore', path.join(backups, 'incr'));
    assert.equal(restored.status, 0, restored.stderr);
    // The same tables, rows and checksums as the backup printed.
    const tableLines = (out: string) => out.split('\n').filter((l) => l.startsWith('  '));
    assert.deepEqual(tableLines(restored.stdout), tableLines(incrRun.stdout));

    // A second restore into the now non-empty directory is refused with the refusal exit code, then forced.
    const again = smsp(target, 'restore', path.join(backups, 'incr'));
    assert.equal(again.status, 4);
    assert.match(again.stderr, /^smsp: database sms already holds \d+ tables.*\[BACKUP_REFUSED\]$/m);
    assert.equal(smsp(target, 'restore', path.join(backups, 'incr'), '--force').status, 0);
    const usage = smsp(target, 'restore');
    assert.equal(usage.status, 2);
  });
});
