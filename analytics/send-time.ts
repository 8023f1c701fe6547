/**
 * Best send time: a 7 × 24 hour-of-week grid (local weekday and hour of delivery, in the workspace's
 * zone) of click or conversion rates per delivered message. Small cells are shrunk toward the overall
 * rate (empirical Bayes: (successes + k·overall) / (delivered + k), k = prior_strength), so three lucky
 * messages do not win. The recommendation is the best `window_hours`-long run of hours within one day
 * that avoids quiet hours.
 * Always read from raw events: a cell joins each message's first delivery with its click or conversion, hours
 * apart, which the hourly rollup (metrics_hourly) cannot hold exactly.
 */
import { formatTs } from '../warehouse/time.ts';
import { WORKSPACE_FILTER, workspaceParams } from '../warehouse/query-builder.ts';
import { sqlWithGenerated } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { Rule } from '../segmentation/rule-types.ts';
import { compiledRuleOf } from '../segmentation/segments.ts';

export interface SendTimeRequest {
  metric: 'click_rate' | 'conversion_rate';
  fromMs: number;
  toMs: number;
  tz: string;
  /** Quiet hours as local [start, end) hours, wrapping midnight (default 22 → 8). */
  quiet: [number, number];
  windowHours: number;
  priorStrength: number;
  rule?: Rule;
}

export interface SendTimeCell {
  weekday: number;
  hour: number;
  delivered: number;
  successes: number;
  rate: number | null;
  shrunk_rate: number;
  quiet: boolean;
}

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export const isQuiet = (hour: number, [start, end]: [number, number]): boolean => (start <= end ? hour >= start && hour < end : hour >= start || hour < end);

export async function sendTimeGrid(wh: Warehouse, workspaceId: string, req: SendTimeRequest) {
  let audience = '1';
  let params = workspaceParams(workspaceId, { tz: req.tz });
  if (req.rule) {
    const compiled = await compiledRuleOf(wh, req.rule, workspaceId, req.toMs, req.tz);
    audience = `if(user_id != '', user_id, phone) IN (SELECT user_id FROM contacts FINAL WHERE ${WORKSPACE_FILTER} AND (${compiled.expression}))`;
    params = compiled.params;
  }
  const rows = await wh.query<{ weekday: number; hour: number; delivered: string; clicks: string; conversions: string }>(
    sqlWithGenerated('insights/send-time', { audience }),
    {
      ...params,
      from: formatTs(req.fromMs),
      to: formatTs(req.toMs),
    },
  );
  const cells = new Map(rows.map((r) => [`${r.weekday}:${r.hour}`, r]));
  let delivered = 0;
  let successes = 0;
  for (const r of rows) {
    delivered += Number(r.delivered);
    successes += Number(req.metric === 'click_rate' ? r.clicks : r.conversions);
  }
  const overall = delivered ? successes / delivered : 0;
  const grid: SendTimeCell[][] = WEEKDAYS.map((_, d) =>
    Array.from({ length: 24 }, (_, hour) => {
      const r = cells.get(`${d + 1}:${hour}`);
      const n = Number(r?.delivered ?? 0);
      const s = Number((req.metric === 'click_rate' ? r?.clicks : r?.conversions) ?? 0);
      return {
        weekday: d + 1,
        hour,
        delivered: n,
        successes: s,
        rate: n ? s / n : null,
        shrunk_rate: (s + req.priorStrength * overall) / (n + req.priorStrength),
        quiet: isQuiet(hour, req.quiet),
      };
    }),
  );
  let best: { weekday: number; start: number; score: number; delivered: number } | undefined;
  for (const day of grid) {
    for (let start = 0; start + req.windowHours <= 24; start++) {
      const hours = day.slice(start, start + req.windowHours);
      if (hours.some((c) => c.quiet)) continue;
      const n = hours.reduce((a, c) => a + c.delivered, 0);
      const score = hours.reduce((a, c) => a + c.shrunk_rate, 0) / hours.length;
      if (!best || score > best.score) best = { weekday: day[0]!.weekday, start, score, delivered: n };
    }
  }
  const pad = (h: number) => `${String(h).padStart(2, '0')}:00`;
  return {
    metric: req.metric,
    timezone: req.tz,
    overall_rate: overall,
    delivered,
    prior_strength: req.priorStrength,
    quiet_hours: { start: pad(req.quiet[0]), end: pad(req.quiet[1]) },
    grid,
    recommended: best && {
      weekday: best.weekday,
      day: WEEKDAYS[best.weekday - 1],
      start: pad(best.start),
      end: pad(best.start + req.windowHours),
      expected_rate: best.score,
      delivered: best.delivered,
    },
  };
}
