/**
 * `smsp erase` as a process on a data directory without a server: the person's number and id leave every table,
 * the command prints hashes only, and an unknown id exits 3 (not found) with one line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../config/config.ts';
import { openWarehouse } from '../../warehouse/warehouse.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-erase-'));
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ADMIN_API_KEY: '', CLICKHOUSE_URL: '' };
const WS = 'ws_cli';
const smsp = (...args: string[]) => spawnSync(process.execPath, ['bin/smsp.mjs', ...args], { env, encoding: 'utf8' });

describe('smsp erase (offline)', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('erases a person imported from files and prints the erasure by hash', async () => {
    const contacts = path.join(dataDir, 'contacts.csv');
    fs.writeFileSync(contacts, 'user_id,phone,name,tags\nu_cli,13811112222,王五,vip\nu_other,13833334444,赵六,vip\n');
    const events = path.join(dataDir, 'events.ndjson');
    const ts = new Date(Date.now() - 3 * 86400_000).toISOString();
    const lines = ['u_cli', 'u_other'].flatMap((u, i) => [
      { event_id: `s${i}`, type: 'send', ts, user_id: u, phone: i ? '13833334444' : '13811112222', status: 'accepted' },
      { event_id: `r${i}`, type: 'reply', ts, user_id: u, properties: { text: `hi from ${u}` } },
    ]);
    fs.writeFileSync(events, lines.map((l) => JSON.stringify(l)).join('\n'));
    for (const run of [smsp('import', 'contacts', contacts, '--workspace', WS), smsp('import', 'events', events, '--workspace', WS)])
      assert.equal(run.status, 0, run.stderr);

    const erased = smsp('erase', 'u_cli', '--workspace', WS);
    assert.equal(erased.status, 0, erased.stderr);
    const hash = (v: string) => `sha256:${crypto.createHash('sha256').update(`${WS}:${v}`).digest('hex')}`;
    assert.match(erased.stdout, /1 profile\(s\) removed, 2 event\(s\) kept with hashed identifiers/);
    assert.ok(erased.stdout.includes(`user hash:   ${hash('u_cli')}`) && erased.stdout.includes(`phone hash:  ${hash('+8613811112222')}`), erased.stdout);
    assert.doesNotMatch(erased.stdout, /13811112222|u_cli\b/);

    const missing = smsp('erase', 'u_cli', '--workspace', WS);
    assert.equal(missing.status, 3, missing.stderr);
    assert.match(missing.stderr, /^smsp: contact u_cli not found \[NOT_FOUND\]\n$/);
    assert.equal(smsp('erase').status, 2);

    const wh = await openWarehouse(loadConfig({ DATA_DIR: dataDir }).warehouse);
    try {
      const tables = await wh.query<{ table: string; name: string }>(
        "SELECT c.table AS table, c.name AS name FROM system.columns AS c INNER JOIN system.tables AS t ON t.database = c.database AND t.name = c.table WHERE c.database = currentDatabase() AND t.engine NOT LIKE '%View%' AND c.type LIKE '%String%'",
      );
      const hits = async (needle: string) => {
        const found: string[] = [];
        for (const { table, name } of tables) {
          const [r] = await wh.query<{ n: string }>(`SELECT count() AS n FROM \`${table}\` WHERE position(toString(\`${name}\`), {needle:String}) > 0`, {
            needle,
          });
          if (Number(r!.n) > 0) found.push(`${table}.${name}`);
        }
        return found;
      };
      assert.deepEqual(await hits('13811112222'), []);
      assert.deepEqual(await hits('u_cli'), []);
      assert.ok((await hits('13833334444')).includes('contacts.phone'), 'the other person is kept');
      const [n] = await wh.query<{ n: string }>('SELECT count() AS n FROM events WHERE workspace_id = {ws:String}', { ws: WS });
      assert.equal(Number(n!.n), 4);
    } finally {
      await wh.close();
    }
  });
});
