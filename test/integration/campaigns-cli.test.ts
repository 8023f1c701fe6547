/**
 * `smsp campaigns roi` as a user runs it (a CLI process over a seeded demo data directory): the JSON answer adds
 * up (totals are the groups' sums, ROI from them, every message priced by the demo's prices), the table shows every
 * campaign and the totals; beside a running server it answers the same through the server's API; bad flags are usage errors and a reversed range is refused naming `to` (exit 2).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServe, stopServe } from '../helpers/serve-process.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-roi-cli-'));
const env = { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'warn', ADMIN_API_KEY: '', CLICKHOUSE_URL: '', SMSP_URL: '', SMSP_API_KEY: '' };
const run = (args: string[]) => spawnSync(process.execPath, ['bin/smsp.mjs', ...args], { env, encoding: 'utf8' });
const range = ['--from', new Date(Date.now() - 30 * 86_400_000).toISOString(), '--to', new Date(Date.now() + 86_400_000).toISOString()];

describe('smsp campaigns roi', () => {
  before(() => {
    const seeded = run(['seed-demo', '--contacts', '300', '--weeks', '2']);
    assert.equal(seeded.status, 0, seeded.stderr);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers per campaign at the demo’s prices; the totals are the groups’ sums and ROI comes from them', () => {
    const out = run(['campaigns', 'roi', ...range, '--json']);
    assert.equal(out.status, 0, out.stderr);
    const answer = JSON.parse(out.stdout);
    assert.ok(answer.groups.length >= 3 && answer.groups.every((g: { key: string }) => g.key.startsWith('cmp_')), out.stdout.slice(0, 300));
    for (const k of ['messages', 'parts', 'conversions', 'unpriced_messages'])
      assert.equal(
        answer.totals[k],
        answer.groups.reduce((s: number, g: Record<string, number>) => s + g[k]!, 0),
        k,
      );
    assert.ok(answer.totals.conversions > 0);
    // The demo's prices take effect on its first day: every message priced.
    assert.equal(answer.totals.unpriced_messages, 0);
    assert.ok(answer.totals.cost > 0 && answer.totals.roi !== null);
    const cost = answer.groups.reduce((s: number, g: { cost: number }) => s + g.cost, 0);
    assert.ok(Math.abs(answer.totals.cost - cost) < 1e-6);
    assert.ok(Math.abs(answer.totals.roi - (answer.totals.revenue - answer.totals.cost) / answer.totals.cost) < 1e-9);
    assert.equal(answer.currency, 'CNY');

    const text = run(['campaigns', 'roi', ...range, '--group-by', 'channel', '--attribution-days', '3']);
    assert.equal(text.status, 0, text.stderr);
    const lines = text.stdout.split('\n');
    assert.match(lines[0]!, /last touch across campaigns within 3 days of a delivery/);
    assert.match(lines[1]!, /^channel\s+messages\s+parts\s+cost \(CNY\)\s+conversions\s+revenue\s+ROI\s+cost\/conv\./);
    assert.ok(lines.some((l) => /^106\s+\d+/.test(l)));
    assert.ok(lines.some((l) => /^total\s+\d+/.test(l)));
  });

  it('beside a running server, answers the same through its API', async () => {
    const engine = JSON.parse(run(['campaigns', 'roi', ...range, '--group-by', 'template', '--json']).stdout);
    const serve = await startServe([], env);
    try {
      const beside = run(['campaigns', 'roi', ...range, '--group-by', 'template', '--json']);
      assert.equal(beside.status, 0, beside.stderr);
      assert.deepEqual(JSON.parse(beside.stdout), engine);
      // A reversed range comes back from the server as the same refusal.
      const reversed = run(['campaigns', 'roi', '--from', range[3]!, '--to', range[1]!]);
      assert.equal(reversed.status, 2, reversed.stderr);
      assert.match(reversed.stderr, /to: must be after from/);
    } finally {
      assert.equal(await stopServe(serve), 0);
    }
  });

  it('refuses bad flags (usage) and a reversed range (naming to), with exit code 2', () => {
    const usage = run(['campaigns', 'roi', '--to', range[3]!]);
    assert.equal(usage.status, 2, usage.stderr);
    assert.match(usage.stderr, /--from needs an ISO 8601 instant/);
    const reversed = run(['campaigns', 'roi', '--from', range[3]!, '--to', range[1]!]);
    assert.equal(reversed.status, 2, reversed.stderr);
    assert.match(reversed.stderr, /to: must be after from/);
    const group = run(['campaigns', 'roi', ...range, '--group-by', 'carrier']);
    assert.equal(group.status, 2, group.stderr);
    assert.match(group.stderr, /group_by: must be one of campaign, template, channel, segment/);
  });
});
