/**
 * The query builder (warehouse/query-builder.ts) and event-filter validation, as pure units: the workspace is
 * always bound and cannot be overridden, conditions join as stated, each comparison binds its value instead of
 * pasting it, and event filters are checked by their own validator (the rule validator uses the same one), with
 * errors naming the caller's path.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { validateWhere, whereSql } from '../../analytics/event-filters.ts';
import type { WhereClause } from '../../segmentation/rule-types.ts';
import { validateRule, validateWhereClauses } from '../../segmentation/rule-validation.ts';
import { AppError } from '../../common/errors.ts';
import { Params, WORKSPACE_FILTER, allOf, anyOf, comparison, workspaceParams } from '../../warehouse/query-builder.ts';

describe('Params', () => {
  it('binds the workspace first and numbers placeholders in order', () => {
    const p = new Params('ws_1', { from: 'a' });
    assert.equal(p.add('x', 'String'), '{p0:String}');
    assert.equal(p.add([1, 2], 'Array(UInt8)'), '{p1:Array(UInt8)}');
    assert.deepEqual(Object.entries(p.values), [
      ['workspace', 'ws_1'],
      ['from', 'a'],
      ['p0', 'x'],
      ['p1', [1, 2]],
    ]);
    assert.equal(p.workspaceFilter, 'workspace_id = {workspace:String}');
    assert.equal(WORKSPACE_FILTER, p.workspaceFilter);
  });

  it('never lets other parameters replace the workspace', () => {
    assert.equal(new Params('ws_1', { workspace: 'ws_2' }).values.workspace, 'ws_1');
    assert.deepEqual(workspaceParams('ws_1', { workspace: 'ws_2', id: 'e1' }), { workspace: 'ws_1', id: 'e1' });
    assert.deepEqual(workspaceParams('ws_1'), { workspace: 'ws_1' });
  });
});

describe('conditions', () => {
  it('allOf and anyOf parenthesise each condition; none is true for allOf and false for anyOf', () => {
    assert.equal(allOf(['a = 1', 'b = 2 OR c = 3']), '(a = 1) AND (b = 2 OR c = 3)');
    assert.equal(anyOf(['a = 1', 'b = 2 AND c = 3']), '(a = 1) OR (b = 2 AND c = 3)');
    assert.equal(allOf([]), '1');
    assert.equal(anyOf([]), '0');
  });

  it('comparison binds every value and writes the operator from a fixed table', () => {
    const p = new Params('ws');
    const cases: [string, string][] = [
      [comparison('city', 'eq', "x' OR 1=1", 'String', p, false), 'city = {p0:String}'],
      [comparison('city', 'in', ['a', 'b'], 'String', p, false), 'city IN {p1:Array(String)}'],
      [comparison('city', 'not_in', ['c'], 'String', p, false), 'city NOT IN {p2:Array(String)}'],
      [comparison('n', 'between', [1, 5], 'Float64', p, false), 'n BETWEEN {p3:Float64} AND {p4:Float64}'],
      [comparison('name', 'contains', 'li', 'String', p, false), 'positionUTF8(name, {p5:String}) > 0'],
      [comparison('n', 'lte', 3, 'Float64', p, false), 'n <= {p6:Float64}'],
      [comparison('name', 'exists', undefined, 'String', p, false), "name != ''"],
      [comparison('b', 'exists', false, 'Date32', p, true), 'NOT (b IS NOT NULL)'],
      [comparison('b', 'gt', '2026-01-02', 'Date32', p, true), 'b > {p7:Date32}'],
    ];
    for (const [got, want] of cases) assert.equal(got, want);
    assert.deepEqual(p.values, {
      workspace: 'ws',
      p0: "x' OR 1=1",
      p1: ['a', 'b'],
      p2: ['c'],
      p3: 1,
      p4: 5,
      p5: 'li',
      p6: 3,
      // A calendar date is bound as given (instants are rule-sql.ts's, in the workspace's zone).
      p7: '2026-01-02',
    });
  });

  it('event filters: columns compare as themselves, property keys are bound, ranges on properties compare as numbers', () => {
    const p = new Params('ws');
    const where: WhereClause[] = [
      { prop: 'carrier', op: 'eq', value: 'China Mobile' },
      { prop: 'revenue', op: 'gte', value: 10 },
      { prop: 'size', op: 'lt', value: 3 },
      { prop: 'revenue', op: 'exists' },
    ];
    const sql = whereSql(where, p);
    assert.equal(sql, '(carrier = {p0:String}) AND (toFloat64(revenue) >= {p1:Float64}) AND (toFloat64OrNull(properties[{p2:String}]) < {p3:Float64}) AND (1)');
    assert.deepEqual(p.values, { workspace: 'ws', p0: 'China Mobile', p1: 10, p2: 'size', p3: 3 });
    assert.equal(whereSql([], new Params('ws')), '1');
  });
});

/** The error a call throws, as [path, message]. */
function refusal(run: () => unknown): [string, string] {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof AppError && err.code === 'VALIDATION_FAILED', String(err));
    return [err.path ?? '', err.message];
  }
  assert.fail('expected an invalid-input AppError');
}

const MAX = Number.MAX_SAFE_INTEGER;

describe('event-filter validation', () => {
  const bad: [unknown, string, string][] = [
    ['carrier', 'body.filters', 'must be a list of at most 20 conditions'],
    [Array.from({ length: 21 }, () => ({ prop: 'carrier', op: 'eq', value: 'x' })), 'body.filters', 'must be a list of at most 20 conditions'],
    [[{ prop: 'carrier', op: 'eq', value: 'x' }, 'x'], 'body.filters[1]', 'must be {prop, op, value}'],
    [[{ prop: 'carrier', op: 'eq', value: 'x', extra: 1 }], 'body.filters[0].extra', 'unknown field (allowed: prop, op, value)'],
    [[{ prop: 'a b', op: 'eq', value: 'x' }], 'body.filters[0].prop', 'must be an event column or a property key'],
    [[{ prop: 'carrier', op: 'like', value: 'x' }], 'body.filters[0].op', 'must be one of eq, neq, in, not_in, contains, exists, gt, gte, lt, lte, between'],
    [[{ prop: 'revenue', op: 'contains', value: 'x' }], 'body.filters[0].op', 'must be one of eq, neq, in, not_in, gt, gte, lt, lte, between, exists'],
    [[{ prop: 'revenue', op: 'gt', value: 'lots' }], 'body.filters[0].value', `must be a number between -${MAX} and ${MAX}`],
    [[{ prop: 'size', op: 'between', value: [1] }], 'body.filters[0].value', 'must be [low, high]'],
    [[{ prop: 'carrier', op: 'in', value: [] }], 'body.filters[0].value', 'must be a list of 1 to 1000 values'],
    [[{ prop: 'carrier', op: 'exists', value: 'yes' }], 'body.filters[0].value', 'must be true or false (or left out)'],
  ];
  for (const [where, path, reason] of bad) {
    it(`refuses ${JSON.stringify(where).slice(0, 60)} at ${path}`, () => {
      assert.deepEqual(
        refusal(() => validateWhere(where, 'body.filters')),
        [path, `${path}: ${reason}`],
      );
      // A behaviour leaf's `where` is checked by the same validator: the same reason, under the rule's path.
      const rulePath = path.replace(/^body\.filters/, 'rule.where');
      assert.deepEqual(
        refusal(() => validateRule({ event: 'click', where })),
        [rulePath, `${rulePath}: ${reason}`],
      );
    });
  }

  it('accepts good filters as given, and no filters as none', () => {
    const where = [
      { prop: 'carrier', op: 'in', value: ['China Mobile'] },
      { prop: 'size', op: 'between', value: [1, 2] },
      { prop: 'revenue', op: 'exists', value: false },
    ];
    assert.deepEqual(validateWhere(where, 'querystring.filters'), where);
    assert.deepEqual(validateWhereClauses([], 'x'), []);
    assert.deepEqual(validateWhere(undefined, 'body.filters'), []);
    assert.deepEqual(
      refusal(() => validateWhere(null, 'body.filters')),
      ['body.filters', 'body.filters: must be a list of at most 20 conditions'],
    );
  });
});

describe('the workspace filter is written in one place', () => {
  it('no TypeScript module below api/ writes a workspace condition into SQL by hand', () => {
    const offenders: string[] = [];
    for (const dir of ['segmentation', 'analytics', 'experiments', 'ingest', 'access', 'notify', 'warehouse', 'common']) {
      for (const file of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.ts') || path.join(dir, file) === path.join('warehouse', 'query-builder.ts')) continue;
        const text = fs.readFileSync(path.join(dir, file), 'utf8');
        if (/workspace_id\s*(=|IN\b)|\{workspace:String\}/.test(text)) offenders.push(path.join(dir, file));
      }
    }
    assert.deepEqual(offenders, []);
  });
});
