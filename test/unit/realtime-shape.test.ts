import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { realtimeShape } from '../../segmentation/realtime-shape.ts';
import { validateRule } from '../../segmentation/rule-validation.ts';

const shapeOf = (rule: unknown) => realtimeShape(validateRule(rule));
const clicks = (extra: object = {}) => ({ event: 'click', within_days: 7, count: { op: 'gte', value: 2 }, ...extra });

describe('realtime segments: which rules qualify', () => {
  it('attributes, tags (also under not) and rising windowed counts on rolled-up dimensions qualify, with what to watch', () => {
    const shape = shapeOf({
      all: [
        clicks(),
        { tag: 'vip' },
        { not: { tag: 'blocked', value: 'yes' } },
        { attr: 'city', op: 'in', value: ['上海', '北京'] },
        {
          any: [
            { event: 'conversion', within_days: 30, where: [{ prop: 'category', op: 'eq', value: 'shoes' }] },
            { event: 'click', within_days: 3, count: { op: 'gt', value: 4 } },
          ],
        },
      ],
    });
    assert.deepEqual(shape, { qualifies: true, eventTypes: ['click', 'conversion'], maxDays: 30, tags: ['blocked', 'vip'] });
    assert.deepEqual(shapeOf({ attr: 'vip_level', op: 'gte', value: 2 }), { qualifies: true, eventTypes: [], maxDays: 0, tags: [] });
  });

  const refused: [string, unknown, string, RegExp][] = [
    ['RFM', { all: [{ tag: 'vip' }, { rfm: { segment: 'champions' } }] }, 'rule.all[1].rfm', /batch runs/],
    ['a cluster', { any: [{ cluster: { model: 'm1', in: [0] } }] }, 'rule.any[0].cluster', /batch model fits/],
    ['a lifecycle stage', { all: [{ tag: 'vip' }, { lifecycle: 'dormant' }] }, 'rule.all[1].lifecycle', /clock alone/],
    ['is_today', { attr: 'birthday', op: 'is_today' }, 'rule.op', /clock alone/],
    ['an attribute within_days', { all: [{ attr: 'signup_at', op: 'within_days', value: 15 }] }, 'rule.all[0].op', /clock alone/],
    ['a count without a window', { event: 'click', count: { op: 'gte', value: 2 } }, 'rule.within_days', /rolling window/],
    ['a count zero meets', clicks({ count: { op: 'lt', value: 2 } }), 'rule.count', /gte/],
    ['an exact count', clicks({ count: { op: 'eq', value: 2 } }), 'rule.count', /gte/],
    ['gte 0', clicks({ count: { op: 'gte', value: 0 } }), 'rule.count', /gte/],
    ['a behaviour leaf under not', { all: [{ tag: 'vip' }, { not: { any: [clicks()] } }] }, 'rule.all[1].not.any[0]', /under "not"/],
    ['a where the rollups do not keep', clicks({ where: [{ prop: 'revenue', op: 'gt', value: 5 }] }), 'rule.where', /rollups keep/],
    ['a range on a rolled-up dimension', clicks({ where: [{ prop: 'campaign_id', op: 'contains', value: 'x' }] }), 'rule.where', /eq\/in/],
  ];
  for (const [what, rule, path, reason] of refused) {
    it(`refuses ${what}, naming the leaf`, () => {
      const shape = shapeOf(rule);
      assert.equal(shape.qualifies, false);
      if (shape.qualifies) return;
      assert.equal(shape.path, path);
      assert.match(shape.reason, reason);
    });
  }
});
