/** Lifecycle thresholds, the stage function's precedence, and the rule leaf's validation, without the engine. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../common/errors.ts';
import { DEFAULT_LIFECYCLE, LIFECYCLE_STAGES, validateLifecycleSettings } from '../../segmentation/lifecycle-settings.ts';
import { stageSql } from '../../segmentation/lifecycle-sql.ts';
import { usesLifecycle, type Rule } from '../../segmentation/rule-types.ts';
import { validateRule } from '../../segmentation/rule-validation.ts';
import { compiledRule } from '../../segmentation/segments.ts';
import { Params } from '../../warehouse/query-builder.ts';

const refusedAt = (fn: () => unknown, path: string) =>
  assert.throws(fn, (err: unknown) => isAppError(err, 'VALIDATION_FAILED') && err.path === path, `expected a refusal at ${path}`);

describe('lifecycle thresholds', () => {
  it('defaults to the articles: 15 days new, 30 dormant, 90 churned, repeat 2 and loyal 4 conversions in 90 days', () => {
    assert.deepEqual(validateLifecycleSettings({}), {
      new_days: 15,
      dormant_days: 30,
      churned_days: 90,
      purchase_window_days: 90,
      repeat_conversions: 2,
      loyal_conversions: 4,
    });
  });

  it('keeps what is given and fills the rest from the defaults', () => {
    assert.deepEqual(validateLifecycleSettings({ dormant_days: 60, churned_days: 61, loyal_conversions: 3 }), {
      ...DEFAULT_LIFECYCLE,
      dormant_days: 60,
      churned_days: 61,
      loyal_conversions: 3,
    });
  });

  it('refuses thresholds that would make a stage unreachable, naming the field', () => {
    refusedAt(() => validateLifecycleSettings({ dormant_days: 90 }), 'churned_days'); // churned 90 would swallow dormant
    refusedAt(() => validateLifecycleSettings({ dormant_days: 20, churned_days: 20 }), 'churned_days');
    refusedAt(() => validateLifecycleSettings({ repeat_conversions: 4 }), 'loyal_conversions');
    refusedAt(() => validateLifecycleSettings({ repeat_conversions: 5, loyal_conversions: 4 }), 'loyal_conversions');
  });

  it('refuses values out of range or not whole, naming the field', () => {
    refusedAt(() => validateLifecycleSettings({ new_days: 0 }), 'new_days');
    refusedAt(() => validateLifecycleSettings({ dormant_days: 2.5 }), 'dormant_days');
    refusedAt(() => validateLifecycleSettings({ churned_days: 3651 }), 'churned_days');
    refusedAt(() => validateLifecycleSettings({ purchase_window_days: 6 }), 'purchase_window_days');
    refusedAt(() => validateLifecycleSettings({ repeat_conversions: 1 }), 'repeat_conversions');
    refusedAt(() => validateLifecycleSettings({ loyal_conversions: '5' }), 'loyal_conversions');
  });
});

describe('the stage function', () => {
  const params = new Params('ws');
  const sql = stageSql(
    { ...DEFAULT_LIFECYCLE, new_days: 11, dormant_days: 33, churned_days: 99, repeat_conversions: 3, loyal_conversions: 7 },
    params,
    '{tz:String}',
    {
      signup: 's',
      lastTouch: 'l',
      conversions: 'n',
      at: 'at',
    },
  );

  it('tests the stages in the documented precedence: new, churned, dormant, loyal, repeat, then active', () => {
    const order = [...sql.matchAll(/'(new|churned|dormant|loyal|repeat|active)'/g)].map((m) => m[1]);
    assert.deepEqual(order, [...LIFECYCLE_STAGES]);
    assert.deepEqual(LIFECYCLE_STAGES, ['new', 'churned', 'dormant', 'loyal', 'repeat', 'active']);
  });

  it('binds every threshold as a parameter, in the order the conditions use them', () => {
    assert.ok(!/\b(11|33|99|7)\b/.test(sql), sql);
    const bound = Object.entries(params.values)
      .filter(([k]) => k !== 'workspace')
      .map(([, v]) => v);
    assert.deepEqual(bound, [11, 99, 33, 7, 3]);
  });
});

describe('the lifecycle rule leaf', () => {
  it('takes a stage or {in: [stages]}', () => {
    validateRule({ lifecycle: 'dormant' });
    validateRule({ not: { lifecycle: { in: ['dormant', 'churned'] } } });
  });

  it('names the JSON path of a bad leaf', () => {
    refusedAt(() => validateRule({ lifecycle: 'asleep' }), 'rule.lifecycle');
    refusedAt(() => validateRule({ lifecycle: 3 }), 'rule.lifecycle');
    refusedAt(() => validateRule({ any: [{ tag: 'a' }, { lifecycle: { in: ['new', 'old'] } }] }), 'rule.any[1].lifecycle.in[1]');
    refusedAt(() => validateRule({ lifecycle: { in: [] } }), 'rule.lifecycle.in');
    refusedAt(() => validateRule({ lifecycle: { in: ['new'], not_in: ['loyal'] } }), 'rule.lifecycle.not_in');
    refusedAt(() => validateRule({ lifecycle: 'new', label: 'x' }), 'rule.label');
  });

  it('is found anywhere in a rule, so its thresholds are read only when needed', () => {
    assert.equal(usesLifecycle({ all: [{ tag: 'a' }, { not: { any: [{ lifecycle: 'new' }] } }] } as Rule), true);
    assert.equal(usesLifecycle({ all: [{ tag: 'a' }, { not: { event: 'click' } }] } as Rule), false);
  });

  it('compiles with the thresholds bound, and not without them', () => {
    const rule = validateRule({ lifecycle: { in: ['dormant', 'churned'] } });
    const { expression, params } = compiledRule(rule, 'ws', Date.parse('2026-11-20T00:00:00Z'), 'UTC', DEFAULT_LIFECYCLE);
    // The stages asked for are a bound list (the stage names in the SQL are the function's own literals).
    assert.match(expression, /WHERE stage IN \{p\d+:Array\(String\)\}\)$/);
    assert.ok(JSON.stringify(params).includes('["dormant","churned"]'));
    for (const [, name] of expression.matchAll(/\{([a-z0-9_]+):/g)) assert.ok(name! in params, name);
    assert.throws(() => compiledRule(rule, 'ws', 0, 'UTC'), /lifecycle settings/);
  });
});
