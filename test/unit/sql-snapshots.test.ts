/**
 * SQL snapshots: the statements that compiled rules, funnels and metric reads run, with their parameters,
 * compared with the files under test/snapshots/, so a reviewer sees in the diff the SQL a change produces.
 * Pure: no engine (metric reads go to a warehouse stand-in that records the statement and answers no rows).
 * `UPDATE_SNAPSHOTS=1` rewrites the files (then review `git diff test/snapshots`).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { funnelCountsStatement, funnelTimesStatement } from '../../analytics/funnel-sql.ts';
import type { FunnelRequest } from '../../analytics/funnels.ts';
import { metricCounts } from '../../analytics/metrics.ts';
import { refreshStatement } from '../../segmentation/computed-tag-rows.ts';
import { DEFAULT_LIFECYCLE } from '../../segmentation/lifecycle-settings.ts';
import { compiledRule } from '../../segmentation/segments.ts';
import { validateRule } from '../../segmentation/rule-validation.ts';
import type { Rule } from '../../segmentation/rule-types.ts';
import { sqlWithGenerated } from '../../warehouse/sql-files.ts';
import { WORKSPACE_FILTER } from '../../warehouse/query-builder.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';

const SNAPSHOTS = path.resolve('test/snapshots');
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';
const WS = 'ws_snap';
const NOW = Date.parse('2026-11-20T10:30:00Z');

/** The statement, then its parameters as commented JSON (one file a reviewer reads top to bottom). */
function render(statement: string, params: Record<string, unknown>): string {
  const json = JSON.stringify(params, null, 2)
    .split('\n')
    .map((line) => `-- ${line}`);
  return `${statement}\n\n-- params:\n${json.join('\n')}\n`;
}

/**
 * Every placeholder has a value and every value a placeholder; a statement that reads a workspace's rows binds
 * this workspace and filters on it (through the query builder, not by hand).
 */
function assertBound(statement: string, params: Record<string, unknown>, opts: { readsWorkspace?: boolean; unused?: string[] } = {}): void {
  const placeholders = new Set([...statement.matchAll(/\{([a-z_][a-z0-9_]*):/g)].map((m) => m[1]!));
  const expected = Object.keys(params).filter((name) => !opts.unused?.includes(name) || placeholders.has(name));
  assert.deepEqual([...placeholders].sort(), expected.sort());
  if (opts.readsWorkspace === false) return;
  assert.equal(params.workspace, WS);
  assert.ok(statement.includes(WORKSPACE_FILTER));
}

const written = new Set<string>();

function matchSnapshot(name: string, text: string): void {
  const file = path.join(SNAPSHOTS, `${name}.sql`);
  written.add(path.relative(SNAPSHOTS, file));
  if (UPDATE) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return;
  }
  assert.ok(fs.existsSync(file), `no snapshot ${path.relative(process.cwd(), file)}: run with UPDATE_SNAPSHOTS=1 and review it`);
  assert.equal(text, fs.readFileSync(file, 'utf8'), `${name}: the SQL changed; if intended, run with UPDATE_SNAPSHOTS=1 and review the diff`);
}

const RULES: Record<string, unknown> = {
  'attr-string-in': { attr: 'city', op: 'in', value: ['Shanghai', 'Hangzhou'] },
  'attr-number-between': { attr: 'vip_level', op: 'between', value: [2, 4] },
  'attr-free-numeric': { attr: 'attributes.points', op: 'gte', value: 100 },
  'attr-date-birthday-today': { attr: 'birthday', op: 'is_today' },
  'attr-datetime-within-days': { attr: 'signup_at', op: 'within_days', value: 30 },
  'attr-exists-false': { attr: 'name', op: 'exists', value: false },
  'tag-with-value': { tag: 'tier', value: 'gold' },
  // Behaviour leaves: a rollup-answerable `where` (whole days from contact_daily_dims, raw edges), one that needs
  // raw events (a property range), all time, and counts that hold or fail at zero.
  'event-rollup-window': { event: 'click', where: [{ prop: 'campaign_id', op: 'in', value: ['c1', 'c2'] }], within_days: 7 },
  'event-rollup-all-time': { event: 'delivery', where: [{ prop: 'status', op: 'eq', value: 'delivered' }], count: { op: 'gte', value: 3 } },
  'event-raw-property-filters': {
    event: 'conversion',
    where: [
      { prop: 'revenue', op: 'gt', value: 10.5 },
      { prop: 'sku', op: 'contains', value: 'A-' },
      { prop: 'size', op: 'between', value: [1, 5] },
    ],
    within_days: 14,
  },
  'event-count-holds-at-zero': { event: 'send', within_days: 30, count: { op: 'lt', value: 2 } },
  'event-none': { event: 'unsubscribe', count: { op: 'eq', value: 0 } },
  'rfm-segment-and-scores': { rfm: { segment: 'champions', r: { op: 'between', value: [4, 5] }, f: { op: 'in', value: [3, 4] }, m: { op: 'gte', value: 2 } } },
  'cluster-in': { cluster: { model: 'km_1', in: [0, 2] } },
  // The stage function as of now, over contacts and their interactions (segmentation/lifecycle-sql.ts).
  'lifecycle-in': { lifecycle: { in: ['dormant', 'churned'] } },
  'nested-all-any-not': {
    all: [
      { any: [{ attr: 'region', op: 'eq', value: 'East' }, { tag: 'vip' }] },
      { not: { event: 'complaint', within_days: 90 } },
      { not: { any: [{ attr: 'consent', op: 'eq', value: 'no' }, { rfm: { segment: 'lost' } }] } },
    ],
  },
};

describe('SQL snapshots of compiled rules (segment preview)', () => {
  for (const [name, rule] of Object.entries(RULES)) {
    it(name, () => {
      const { expression, params } = compiledRule(validateRule(rule) as Rule, WS, NOW, 'Asia/Shanghai', DEFAULT_LIFECYCLE);
      const statement = sqlWithGenerated('segments/preview', { rule: expression });
      // A rule binds its clock and zone whether or not its leaves use them.
      assertBound(statement, { ...params, sample: 10 }, { unused: ['now', 'tz'] });
      matchSnapshot(`rules/${name}`, render(statement, params));
    });
  }
});

describe('SQL snapshot of a computed tag refresh', () => {
  it('electronics-buyer', () => {
    const rule = { event: 'conversion', where: [{ prop: 'category', op: 'eq', value: 'electronics' }], within_days: 90 } as Rule;
    const t = { id: 'ct_1', tag: 'electronics_buyer', value: '', rule: validateRule(rule) };
    const { statement, params } = refreshStatement(WS, t, { nowMs: NOW, timezone: 'Asia/Shanghai', version: 1_700_000_000_000_000 });
    assertBound(statement, params, { unused: ['now', 'tz'] });
    matchSnapshot('computed-tags/electronics-buyer-refresh', render(statement, params));
  });
});

const FUNNEL_BASE = { windowMs: 24 * 3600_000, fromMs: Date.parse('2026-11-01T00:00:00Z'), toMs: Date.parse('2026-11-08T00:00:00Z'), unit: 'user' as const };
const NO_FILTERS = { filters: [] };
const FUNNELS: Record<string, FunnelRequest> = {
  plain: { ...FUNNEL_BASE, ...NO_FILTERS, steps: [{ type: 'send' }, { type: 'delivery' }, { type: 'click' }] },
  'breakdown-and-filters': {
    ...FUNNEL_BASE,
    unit: 'message',
    breakdown: 'campaign_id',
    filters: [{ prop: 'channel', op: 'eq', value: '106' }],
    steps: [
      { type: 'send' },
      { type: 'click', where: [{ prop: 'url', op: 'contains', value: '/promo' }] },
      { type: 'conversion', where: [{ prop: 'revenue', op: 'gte', value: 1 }] },
    ],
  },
  'repeated-steps': { ...FUNNEL_BASE, ...NO_FILTERS, steps: [{ type: 'click' }, { type: 'click' }, { type: 'conversion' }] },
  'strict-with-exclusion': {
    ...FUNNEL_BASE,
    ...NO_FILTERS,
    order: 'strict',
    exclusions: [{ type: 'unsubscribe', fromStep: 1, toStep: 3 }],
    steps: [{ type: 'send' }, { type: 'click' }, { type: 'conversion' }],
  },
  'unordered-first-touch': { ...FUNNEL_BASE, ...NO_FILTERS, order: 'unordered', breakdown: 'campaign_id', steps: [{ type: 'click' }, { type: 'conversion' }] },
  'step-attribution': { ...FUNNEL_BASE, ...NO_FILTERS, breakdown: 'carrier', attribution: 'step', steps: [{ type: 'send' }, { type: 'click' }] },
};

describe('SQL snapshots of funnels', () => {
  for (const [name, req] of Object.entries(FUNNELS)) {
    it(name, () => {
      const counts = funnelCountsStatement(WS, req);
      assertBound(counts.statement, counts.params);
      matchSnapshot(`funnels/${name}-counts`, render(counts.statement, counts.params));
      const cuts = {
        overall: 4096,
        groups: new Map(
          req.breakdown
            ? [
                ['c1', 8192],
                ['c2', 4096],
              ]
            : [],
        ),
      };
      const medians = funnelTimesStatement(WS, req, cuts);
      assertBound(medians.statement, medians.params);
      matchSnapshot(`funnels/${name}-times`, render(medians.statement, medians.params));
    });
  }
});

/** A warehouse stand-in that records each statement and answers no rows (no hour is cut by a bucket boundary). */
function recordingWarehouse(): { wh: Warehouse; statements: { statement: string; params: Record<string, unknown> }[] } {
  const statements: { statement: string; params: Record<string, unknown> }[] = [];
  const wh = { query: async (statement: string, params: Record<string, unknown> = {}) => (statements.push({ statement, params }), []) } as unknown as Warehouse;
  return { wh, statements };
}

describe('SQL snapshots of metric reads', () => {
  const week = { fromMs: Date.parse('2026-11-01T00:30:00Z'), toMs: Date.parse('2026-11-29T12:00:00Z'), tz: 'Asia/Shanghai' };
  const cases: Record<string, Parameters<typeof metricCounts>[2]> = {
    // A status filter is not in the hourly rollup: raw events answer.
    'raw-daily-by-carrier': { ...week, interval: 'day', breakdown: 'carrier', filters: [{ prop: 'status', op: 'eq', value: 'delivered' }] },
    // Rolled-up dimensions only: whole hours from the rollup, the ragged ends from raw events.
    'rollup-daily-by-campaign': { ...week, interval: 'day', breakdown: 'campaign_id', filters: [{ prop: 'region', op: 'in', value: ['East', 'North'] }] },
  };
  for (const [name, q] of Object.entries(cases)) {
    it(name, async () => {
      const { wh, statements } = recordingWarehouse();
      await metricCounts(wh, WS, q);
      statements.forEach((s, i) => {
        // The split of hours by bucket boundaries reads no table (numbers() only): no workspace to bind.
        assertBound(s.statement, s.params, { readsWorkspace: !s.statement.includes('FROM numbers(') });
        matchSnapshot(`metrics/${name}-${i + 1}`, render(s.statement, s.params));
      });
    });
  }
});

describe('SQL snapshot files', () => {
  it('every file under test/snapshots belongs to a case above (none left behind by a renamed case)', { skip: UPDATE && 'rewriting' }, () => {
    const files = fs.readdirSync(SNAPSHOTS, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.sql'));
    assert.deepEqual(files.sort(), [...written].sort());
  });
});
