// A SQL result drawn as plain SVG (no chart library): bars or lines of the chosen y columns against the x column.
// Every label is a text node (<text>, <title>), so stored values never become markup.
import { html } from '../lib/ui.js';

const WIDTH = 760;
const HEIGHT = 300;
const PAD = { left: 64, right: 16, top: 16, bottom: 56 };
const COLORS = ['#1f6feb', '#d4651f', '#2da44e', '#cf222e', '#8250df', '#9a6700', '#bf3989', '#57606a'];
/** Points drawn at most: a chart of thousands of bars says nothing. */
export const MAX_POINTS = 200;
/** x labels written at most along the axis. */
const MAX_X_LABELS = 12;

const asText = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * `result` is the API's JSON answer ({columns, rows}); `x` a column name, `y` column names; `formatNumber` formats the
 * values for the language; `label` names the chart for screen readers; `id` tells several charts on one page apart.
 */
export function SqlChart({ type, result, x, y, label, formatNumber, id = 'sql-chart' }) {
  const xi = result.columns.findIndex((c) => c.name === x);
  const series = y.map((name) => ({ name, index: result.columns.findIndex((c) => c.name === name) })).filter((s) => s.index >= 0);
  if (xi < 0 || series.length === 0) return null;
  const rows = result.rows.slice(0, MAX_POINTS);
  const values = rows.flatMap((row) => series.map((s) => Number(row[s.index]))).filter(Number.isFinite);
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const yAt = (v) => PAD.top + plotHeight - ((v - min) / span) * plotHeight;
  const band = plotWidth / Math.max(rows.length, 1);
  const xAt = (i) => PAD.left + band * (i + 0.5);
  const labelEvery = Math.ceil(rows.length / MAX_X_LABELS);
  const barWidth = (band * 0.8) / series.length;
  const point = (row, s) => ({ value: Number(row[s.index]), caption: `${s.name} · ${asText(row[xi])}: ${formatNumber(Number(row[s.index]))}` });

  const marks = series.map((s, k) => {
    const color = COLORS[k % COLORS.length];
    if (type === 'bar') {
      return rows.map((row, i) => {
        const { value, caption } = point(row, s);
        if (!Number.isFinite(value)) return null;
        const top = yAt(Math.max(value, 0));
        return html`<rect
          class="bar"
          data-series=${s.name}
          data-value=${value}
          x=${PAD.left + band * i + band * 0.1 + barWidth * k}
          y=${top}
          width=${Math.max(barWidth, 1)}
          height=${Math.max(Math.abs(yAt(value) - yAt(0)), 1)}
          fill=${color}
          ><title>${caption}</title></rect
        >`;
      });
    }
    const finite = rows.map((row, i) => ({ i, ...point(row, s) })).filter((p) => Number.isFinite(p.value));
    return html`<g class="line" data-series=${s.name}>
      <polyline fill="none" stroke=${color} stroke-width="2" points=${finite.map((p) => `${xAt(p.i)},${yAt(p.value)}`).join(' ')} />
      ${finite.map((p) => html`<circle class="point" data-value=${p.value} cx=${xAt(p.i)} cy=${yAt(p.value)} r="3" fill=${color}><title>${p.caption}</title></circle>`)}
    </g>`;
  });

  return html`<figure class="sql-chart">
    <svg id=${id} viewBox=${`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label=${label}>
      <line class="axis" x1=${PAD.left} x2=${WIDTH - PAD.right} y1=${yAt(0)} y2=${yAt(0)} />
      <line class="axis" x1=${PAD.left} x2=${PAD.left} y1=${PAD.top} y2=${PAD.top + plotHeight} />
      ${[max, (max + min) / 2, min].map((v) => html`<text class="tick" x=${PAD.left - 6} y=${yAt(v) + 4} text-anchor="end">${formatNumber(v)}</text>`)}
      ${rows.map((row, i) =>
        i % labelEvery === 0
          ? html`<text class="tick" x=${xAt(i)} y=${PAD.top + plotHeight + 16} text-anchor="middle">${asText(row[xi]).slice(0, 16)}</text>`
          : null,
      )}
      ${marks}
    </svg>
    <figcaption class="legend">
      ${series.map((s, k) => html`<span class="legend-item"><span class=${`swatch swatch-${k % COLORS.length}`}></span>${s.name}</span>`)}
    </figcaption>
  </figure>`;
}
