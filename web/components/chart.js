// An ECharts chart (served from the installed package, no CDN). Tooltips are drawn on the canvas (richText):
// the default HTML tooltip would be built from series and category names, which users type in.
import { html, useEffect, useRef } from '../lib/ui.js';

export const TOOLTIP = { renderMode: 'richText' };

/** Draws `option` (ECharts' option object) in a box named `label` for screen readers. */
export function Chart({ option, label, id, tall }) {
  const box = useRef(null);
  useEffect(() => {
    const chart = echarts.init(box.current);
    chart.setOption({ animation: false, ...option });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [option]);
  return html`<div id=${id} class=${tall ? 'chart tall' : 'chart'} ref=${box} role="img" aria-label=${label}></div>`;
}
