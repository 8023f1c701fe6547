// ECharts options for experiment results: each variant's relative uplift with its 95 % CI drawn as an interval
// bar (a custom series: whiskers and a point), and the sequential p-value after each daily look.
import { TOOLTIP } from './chart.js';

/** One interval: a vertical line from low to high, caps at both ends, and a dot at the estimate. */
function renderInterval(params, api) {
  const x = api.value(0);
  const [, low] = api.coord([x, api.value(1)]);
  const [, high] = api.coord([x, api.value(2)]);
  const [cx, cy] = api.coord([x, api.value(3)]);
  const half = api.size([1, 0])[0] * 0.15;
  const style = { stroke: '#0969da', lineWidth: 2 };
  return {
    type: 'group',
    children: [
      { type: 'line', shape: { x1: cx, y1: low, x2: cx, y2: high }, style },
      { type: 'line', shape: { x1: cx - half, y1: low, x2: cx + half, y2: low }, style },
      { type: 'line', shape: { x1: cx - half, y1: high, x2: cx + half, y2: high }, style },
      { type: 'circle', shape: { cx, cy, r: 4 }, style: { fill: '#0969da' } },
    ],
  };
}

/** Variants `[{key, low, high, estimate}]` (relative, 0.1 = +10 %) drawn against a zero line. */
export function upliftIntervalsOption(variants) {
  const percent = (x) => Number((x * 100).toFixed(2));
  return {
    tooltip: TOOLTIP,
    grid: { left: 60, right: 20, top: 20, bottom: 30 },
    xAxis: { type: 'category', data: variants.map((v) => v.key) },
    yAxis: { type: 'value', axisLabel: { formatter: '{value} %' } },
    series: [
      {
        type: 'custom',
        renderItem: renderInterval,
        encode: { x: 0, y: [1, 2, 3] },
        data: variants.map((v, i) => [i, percent(v.low), percent(v.high), percent(v.estimate)]),
        markLine: { silent: true, symbol: 'none', data: [{ yAxis: 0 }], lineStyle: { color: '#57606a' } },
      },
    ],
  };
}

/** Lines of `[{key, looks: [{day, p_value}]}]` on a log scale, with α as a dashed line. */
export function sequentialOption(variants, alpha) {
  const days = [...new Set(variants.flatMap((v) => v.looks.map((l) => l.day)))].sort();
  return {
    tooltip: { ...TOOLTIP, trigger: 'axis' },
    legend: { data: variants.map((v) => v.key) },
    grid: { left: 60, right: 20, top: 30, bottom: 30 },
    xAxis: { type: 'category', data: days },
    yAxis: { type: 'log', min: (range) => Math.min(range.min, alpha / 10), max: 1 },
    series: variants.map((v, i) => ({
      name: v.key,
      type: 'line',
      connectNulls: true,
      data: days.map((d) => v.looks.find((l) => l.day === d)?.p_value ?? null),
      ...(i === 0 && { markLine: { silent: true, symbol: 'none', data: [{ yAxis: alpha }], lineStyle: { type: 'dashed', color: '#d1242f' } } }),
    })),
  };
}
