/**
 * The template_delivery_drop judgement on hand-made daily counts: each template against its OWN pooled
 * baseline of the days before, the minimum sends in the bucket and in the baseline, the relative drop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ruleSpec } from '../../analytics/alerts.ts';
import { templateDrops } from '../../analytics/template-drop.ts';

const DAY = 86_400_000;
const D0 = Date.UTC(2025, 2, 1);
const row = (day: number, template: string, accepted: number, delivered: number) => ({
  bucket_s: String((D0 + day * DAY) / 1000),
  grp: template,
  sends: accepted,
  accepted,
  delivered,
  clicks: 0,
  conversions: 0,
  complaints: 0,
  unsubscribes: 0,
  revenue: 0,
});
const spec = ruleSpec({ metric: 'delivery_rate', kind: 'template_delivery_drop', interval: 'day', min_volume: 100 });
const judged = { fromMs: D0 + 7 * DAY, toMs: D0 + 8 * DAY, tz: 'UTC' };

describe('template delivery drop', () => {
  it('defaults: per template, 7 baseline days, fires 10 % below the baseline', () => {
    assert.deepEqual([spec.breakdown, spec.baseline_days, spec.max_drop, spec.interval], ['template_id', 7, 0.1, 'day']);
  });

  it('fires for the template that fell against its own pooled past, not for one that was always lower', () => {
    const rows = [
      // "a": 96 % for a week (pooled: 7 × 192 / 7 × 200), then 71 %.
      ...Array.from({ length: 7 }, (_, d) => row(d, 'a', 200, 192)),
      row(7, 'a', 200, 142),
      // "b": always 80 %: low, but flat against itself.
      ...Array.from({ length: 8 }, (_, d) => row(d, 'b', 200, 160)),
    ];
    const drops = templateDrops(spec, rows, judged);
    assert.deepEqual(drops, [{ bucketMs: D0 + 7 * DAY, templateId: 'a', sends: 200, rate: 0.71, baselineRate: 0.96, baselineSends: 1400, floor: 0.96 * 0.9 }]);
  });

  it('pools the baseline by sends (a small good day does not outweigh a large one) and looks back baseline_days only', () => {
    // Two baseline days: day 6 (1,000 at 80 %) and day 5 (100 at 100 %) pool to 900/1100 = 0.818, floor 0.736;
    // day 0 (1,000 at 0 %) is outside them. A mean of the days' rates (0.9, floor 0.81) would fire at 75 %.
    const past = [row(0, 'a', 1000, 0), row(5, 'a', 100, 100), row(6, 'a', 1000, 800)];
    const two = { ...spec, baseline_days: 2 };
    assert.deepEqual(templateDrops(two, [...past, row(7, 'a', 200, 150)], judged), []);
    const [drop] = templateDrops(two, [...past, row(7, 'a', 200, 140)], judged);
    assert.equal(drop!.baselineSends, 1100);
    assert.ok(Math.abs(drop!.baselineRate - 900 / 1100) < 1e-12);
    assert.equal(drop!.rate, 0.7);
  });

  it('needs min_volume sends in the bucket and in the baseline; never judges events without a template or incomplete buckets', () => {
    const rows = [
      ...Array.from({ length: 7 }, (_, d) => row(d, 'few', 99, 99)),
      row(7, 'few', 99, 0),
      row(6, 'new', 99, 99),
      row(7, 'new', 500, 0),
      ...Array.from({ length: 7 }, (_, d) => row(d, '', 500, 500)),
      row(7, '', 500, 0),
    ];
    assert.deepEqual(templateDrops(spec, rows, judged), []);
    const open = templateDrops(spec, [...Array.from({ length: 7 }, (_, d) => row(d, 'a', 200, 200)), row(7, 'a', 200, 0)], { ...judged, toMs: D0 + 7.5 * DAY });
    assert.deepEqual(open, [], 'a day not over yet is not judged');
  });
});
