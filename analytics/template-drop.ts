/**
 * The template_delivery_drop alert's judgement: per template and complete bucket with at least `min_volume`
 * accepted sends, the delivery rate (delivered receipts / accepted sends) against the template's OWN
 * baseline, its pooled rate over the `baseline_days` before the bucket (at least `min_volume` sends there
 * too). It fires when rate < baseline × (1 − max_drop): with the defaults, a fall of a tenth or more
 * (96 % → 86 %). A relative drop rather than the articles' fixed 90 % level, because a template that always
 * delivers 93 % is not news while one falling from 99 % to 85 % is; the fixed level stays with the built-in
 * delivery rule.
 */
import { addZoneDays, bucketEnd } from '../common/zone-time.ts';
import type { AlertRuleSpec } from './alert-types.ts';
import type { metricCounts } from './metrics.ts';

export const TEMPLATE_DROP_DEFAULTS = { baseline_days: 7, max_drop: 0.1 } as const;

type CountsRow = Awaited<ReturnType<typeof metricCounts>>[number];

export interface TemplateDrop {
  bucketMs: number;
  templateId: string;
  sends: number;
  rate: number;
  baselineRate: number;
  baselineSends: number;
  /** The rate below which the bucket fires. */
  floor: number;
}

/** The earliest instant a judgement of buckets from `fromMs` reads: the first bucket's baseline days. */
export const baselineStart = (spec: AlertRuleSpec, fromMs: number, tz: string) =>
  addZoneDays(fromMs, -(spec.baseline_days ?? TEMPLATE_DROP_DEFAULTS.baseline_days), tz);

/**
 * The drops among `rows` (metric counts by template_id, read from baselineStart) whose bucket starts in
 * [fromMs, toMs) and ends by toMs. Events without a template are not judged.
 */
export function templateDrops(spec: AlertRuleSpec, rows: readonly CountsRow[], w: { fromMs: number; toMs: number; tz: string }): TemplateDrop[] {
  const days = spec.baseline_days ?? TEMPLATE_DROP_DEFAULTS.baseline_days;
  const maxDrop = spec.max_drop ?? TEMPLATE_DROP_DEFAULTS.max_drop;
  const byTemplate = new Map<string, CountsRow[]>();
  for (const r of rows) {
    if (r.grp === '') continue;
    const series = byTemplate.get(r.grp) ?? [];
    series.push(r);
    byTemplate.set(r.grp, series);
  }
  const drops: TemplateDrop[] = [];
  for (const [templateId, series] of byTemplate) {
    for (const row of series) {
      const bucketMs = Number(row.bucket_s) * 1000;
      const sends = Number(row.accepted);
      if (bucketMs < w.fromMs || bucketEnd(bucketMs, spec.interval, w.tz) > w.toMs || sends < spec.min_volume) continue;
      const since = addZoneDays(bucketMs, -days, w.tz);
      const before = series.filter((r) => Number(r.bucket_s) * 1000 >= since && Number(r.bucket_s) * 1000 < bucketMs);
      const baselineSends = before.reduce((n, r) => n + Number(r.accepted), 0);
      if (baselineSends < spec.min_volume) continue; // no baseline of its own yet
      const baselineRate = before.reduce((n, r) => n + Number(r.delivered), 0) / baselineSends;
      const rate = Number(row.delivered) / sends;
      const floor = baselineRate * (1 - maxDrop);
      if (rate < floor) drops.push({ bucketMs, templateId, sends, rate, baselineRate, baselineSends, floor });
    }
  }
  return drops;
}
