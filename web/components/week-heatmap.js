// The hour-of-week heatmap of the send-time grid (GET /v1/insights/send-time): shrunk rates in percent, weekdays from
// Monday down, hours across; `outlined` cells (the recommended window) get a border from a colourless second series.
import { TOOLTIP } from './chart.js';

/** ECharts' option for `grid` (7 × 24 cells) with weekday names `weekdays`. */
export function weekHeatmapOption(grid, weekdays, outlined = []) {
  const cells = grid.flat().map((c) => [c.hour, c.weekday - 1, Number((c.shrunk_rate * 100).toFixed(2))]);
  const series = [{ type: 'heatmap', data: cells }];
  if (outlined.length)
    series.push({
      type: 'heatmap',
      data: outlined.map(([hour, weekday]) => [hour, weekday - 1, 0]),
      itemStyle: { color: 'rgba(0,0,0,0)', borderColor: '#d1242f', borderWidth: 3 },
      tooltip: { show: false },
    });
  return {
    tooltip: TOOLTIP,
    xAxis: { type: 'category', data: [...Array(24).keys()].map(String) },
    yAxis: { type: 'category', data: weekdays },
    visualMap: {
      seriesIndex: 0,
      min: Math.min(...cells.map((c) => c[2])),
      max: Math.max(...cells.map((c) => c[2])),
      calculable: true,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
    },
    grid: { bottom: 70 },
    series,
  };
}
