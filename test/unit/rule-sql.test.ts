import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compiledRule } from '../../segmentation/segments.ts';
import { validateRule } from '../../segmentation/rule-validation.ts';

describe('rule compilation binds every user value as a parameter', () => {
  it('no value from a rule appears in the SQL text', () => {
    const evil = "x' OR 1=1) --";
    const rule = validateRule({
      all: [
        { attr: 'city', op: 'in', value: [evil, 'ok'] },
        { attr: `attributes.${'key_1'}`, op: 'contains', value: evil },
        { tag: evil, value: evil },
        {
          event: 'conversion',
          where: [
            { prop: 'campaign_id', op: 'eq', value: evil },
            { prop: 'note', op: 'neq', value: evil },
          ],
          within_days: 7,
          count: { op: 'gte', value: 3 },
        },
        { rfm: { segment: 'champions', r: { op: 'in', value: [4, 5] } } },
        { cluster: { model: evil.replace(/\W/g, ''), in: [1] } },
      ],
    });
    const { expression, params } = compiledRule(rule, "ws'1", Date.parse('2026-11-20T00:00:00Z'), 'Asia/Shanghai');
    assert.ok(!expression.includes(evil) && !expression.includes("'ok'") && !expression.includes('champions') && !expression.includes("ws'1"));
    const values = JSON.stringify(params);
    assert.ok(values.includes(JSON.stringify(evil).slice(1, -1)) && values.includes('champions'));
    // Every placeholder in the SQL has a value.
    for (const [, name] of expression.matchAll(/\{([a-z0-9_]+):/g)) assert.ok(name! in params, name);
  });
});
