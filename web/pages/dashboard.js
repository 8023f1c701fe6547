// The dashboard: headline metrics, delivery rate by carrier, the send → conversion funnel, the best send time, open
// alerts, segments and experiments, over a date range the analyst picks (the last 30 days by default); for analysts
// and admins, a tile per saved SQL query pinned to the dashboard.
import { html, useMemo, useState } from '../lib/ui.js';
import { api, useFormat, useText, useApi, Chart, TOOLTIP, Empty, ErrorNote, Loading, DateRange, previousRange, useDateRange } from './analytics-kit.js';
import { EventFilters, filterClauses } from '../components/event-value-picker.js';
import { weekHeatmapOption } from '../components/week-heatmap.js';
import { METRIC_NAMES } from '../lib/metric-names.js';
import { SqlTiles } from './dashboard-tiles.js';

const TEXT = {
  'zh-CN': {
    ...METRIC_NAMES['zh-CN'],
    title: '数据看板',
    compare: '与上一周期比较',
    previous: '上一周期',
    changePoints: '{sign}{value} 个百分点',
    headline: '核心指标',
    deliveryByCarrier: '到达率（按运营商，按天）',
    funnel: '转化漏斗（按用户，72 小时）',
    sendTime: '最佳发送时间（点击率，按周几与小时）',
    alerts: '未处理告警',
    segmentsExperiments: '人群与实验',
    send: '发送',
    delivery: '送达',
    click: '点击',
    conversion: '转化',
    noAlerts: '暂无告警',
    noEvents: '所选时间内没有事件。请导入事件或运行 smsp seed-demo 生成演示数据。',
    segment: '人群',
    experiment: '实验',
    metric: '指标',
    group: '分组',
    bucket: '时间段',
    observed: '观测值',
    kind: '类型',
    name: '名称',
    status: '状态',
    weekdays: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'],
  },
  en: {
    ...METRIC_NAMES.en,
    title: 'Dashboard',
    compare: 'Compare with the previous period',
    previous: 'Previous period',
    changePoints: '{sign}{value} pp',
    headline: 'Headline metrics',
    deliveryByCarrier: 'Delivery rate by carrier, daily',
    funnel: 'Funnel by user, 72 h window',
    sendTime: 'Best send time (click rate by weekday and hour)',
    alerts: 'Open alerts',
    segmentsExperiments: 'Segments and experiments',
    send: 'Send',
    delivery: 'Delivery',
    click: 'Click',
    conversion: 'Conversion',
    noAlerts: 'No open alerts',
    noEvents: 'No events in this range. Import events, or run smsp seed-demo for demo data.',
    segment: 'Segment',
    experiment: 'Experiment',
    metric: 'Metric',
    group: 'Group',
    bucket: 'Bucket',
    observed: 'Observed',
    kind: 'Kind',
    name: 'Name',
    status: 'Status',
    weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
  },
};

/**
 * Everything the page shows, read at once for `range`; `filters` (where clauses) narrow every panel that takes them
 * (cards, the carrier series, the funnel); with `compare`, the cards of the period of the same length just before.
 */
function loadDashboard(range, filters, compare) {
  const filterQuery = filters.length ? JSON.stringify(filters) : undefined;
  return Promise.all([
    api('GET', '/metrics/summary', { query: { ...range, filters: filterQuery } }),
    compare ? api('GET', '/metrics/summary', { query: { ...previousRange(range), filters: filterQuery } }) : undefined,
    api('GET', '/metrics', { query: { metric: 'delivery_rate', interval: 'day', breakdown: 'carrier', ...range, filters: filterQuery } }),
    api('POST', '/funnels', { body: { steps: ['send', 'delivery', 'click', 'conversion'], window_hours: 72, ...range, ...(filters.length && { filters }) } }),
    api('GET', '/insights/send-time', { query: range }),
    api('GET', '/alerts', { query: { status: 'open' } }),
    api('GET', '/segments', { query: { limit: 20 } }),
    api('GET', '/experiments', { query: { limit: 20 } }),
  ]).then(([summary, previous, series, funnel, sendTime, alerts, segments, experiments]) => ({
    summary,
    previous,
    series,
    funnel,
    sendTime,
    alerts,
    segments,
    experiments,
  }));
}

/** A card's figure: revenue per delivered message as a number, every other metric as a percentage. */
const figure = (metric, rate, format) => (metric === 'revenue' ? format.number(Number((rate ?? 0).toFixed(2))) : format.percent(rate));

/** The change from the previous period: percentage points for rates, the difference for revenue. */
function change(card, before, t, format) {
  if (card.rate === null || before?.rate === null || before?.rate === undefined) return '–';
  const delta = card.rate - before.rate;
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  if (card.metric === 'revenue') return `${sign}${format.number(Number(Math.abs(delta).toFixed(2)))}`;
  return t('changePoints', { sign, value: format.number(Number((Math.abs(delta) * 100).toFixed(2))) });
}

function Cards({ cards, previous, t, format }) {
  return html`<div class="cards">
    ${cards.map((c) => {
      const before = previous?.cards.find((p) => p.metric === c.metric);
      return html`<div class="card ${c.status}" data-metric=${c.metric}>
        <div>${t(c.metric)}</div>
        <div class="value">${figure(c.metric, c.rate, format)}</div>
        <div class="counts">${format.number(c.numerator)} / ${format.number(c.denominator)}</div>
        ${
          before &&
          html`<div class="previous">
            ${t('previous')}: <span class="previous-value">${figure(c.metric, before.rate, format)}</span>
            <span class="previous-counts">(${format.number(before.numerator)} / ${format.number(before.denominator)})</span>
            <strong class="change">${change(c, before, t, format)}</strong>
          </div>`
        }
      </div>`;
    })}
  </div>`;
}

function chartOptions(data, t) {
  const points = data.series.series;
  const days = [...new Set(points.map((p) => p.local.slice(0, 10)))];
  const carriers = [...new Set(points.map((p) => p.group))];
  return {
    series: {
      tooltip: { ...TOOLTIP, trigger: 'axis' },
      legend: { data: carriers },
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value', min: 0, max: 1 },
      series: carriers.map((c) => ({
        name: c,
        type: 'line',
        connectNulls: true,
        data: days.map((d) => points.find((p) => p.group === c && p.local.startsWith(d))?.rate ?? null),
      })),
    },
    funnel: {
      tooltip: TOOLTIP,
      xAxis: { type: 'category', data: data.funnel.steps.map((s) => t(s.type)) },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', data: data.funnel.steps.map((s) => s.count), label: { show: true, position: 'top' } }],
    },
    heatmap: weekHeatmapOption(data.sendTime.grid, t('weekdays')),
  };
}

function Panels({ data, t, format }) {
  const options = useMemo(() => chartOptions(data, t), [data, t('send')]);
  const alerts = data.alerts.alerts;
  return html`
    <section class="wide">
      <h2>${t('headline')}</h2>
      <${Cards} cards=${data.summary.cards} previous=${data.previous} t=${t} format=${format} />
    </section>
    <section class="wide">
      <h2>${t('deliveryByCarrier')}</h2>
      <${Chart} id="series" option=${options.series} label=${t('deliveryByCarrier')} />
    </section>
    <section>
      <h2>${t('funnel')}</h2>
      <${Chart} id="funnel" option=${options.funnel} label=${t('funnel')} />
    </section>
    <section>
      <h2>${t('sendTime')}</h2>
      <${Chart} id="heatmap" option=${options.heatmap} label=${t('sendTime')} />
    </section>
    <section>
      <h2>${t('alerts')}</h2>
      ${
        alerts.length
          ? html`<table id="alerts">
              <thead>
                <tr>
                  <th scope="col">${t('metric')}</th>
                  <th scope="col">${t('group')}</th>
                  <th scope="col">${t('bucket')}</th>
                  <th scope="col">${t('observed')}</th>
                </tr>
              </thead>
              <tbody>
                ${alerts.map(
                  (a) =>
                    html`<tr>
                      <td>${t(a.spec.metric)}</td>
                      <td>${a.spec.breakdown_value ?? ''}</td>
                      <td>${format.dateTime(a.spec.bucket)}</td>
                      <td>${format.percent(a.spec.observed)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : html`<${Empty}>${t('noAlerts')}<//>`
      }
    </section>
    <section>
      <h2>${t('segmentsExperiments')}</h2>
      <table id="lists">
        <thead>
          <tr>
            <th scope="col">${t('kind')}</th>
            <th scope="col">${t('name')}</th>
            <th scope="col">${t('status')}</th>
          </tr>
        </thead>
        <tbody>
          ${data.segments.segments.map(
            (s) =>
              html`<tr>
                <td>${t('segment')}</td>
                <td>${s.name}</td>
                <td></td>
              </tr>`,
          )}
          ${data.experiments.experiments.map(
            (e) =>
              html`<tr>
                <td>${t('experiment')}</td>
                <td>${e.name}</td>
                <td>${e.spec.status}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
  `;
}

/** Roles that may run SQL (POST /v1/sql), so see the pinned queries' tiles. */
const SQL_ROLES = ['analyst', 'admin'];

export function Dashboard({ session }) {
  const t = useText(TEXT);
  const format = useFormat();
  const dates = useDateRange(30);
  const [chosen, setChosen] = useState({});
  const [compare, setCompare] = useState(false);
  const filters = useMemo(() => filterClauses(chosen), [chosen]);
  const { data, error, loading, reload } = useApi(() => loadDashboard(dates.range, filters, compare), [dates.range, filters, compare]);
  const empty = data && data.summary.cards.every((c) => !c.denominator);
  return html`
    <div class="page-head">
      <h2 class="page-title">${t('title')}</h2>
      <${DateRange} state=${dates} />
      <label><input type="checkbox" name="compare" checked=${compare} onChange=${(e) => setCompare(e.currentTarget.checked)} /> ${t('compare')}</label>
    </div>
    <${EventFilters} range=${dates.range} chosen=${chosen} onChange=${setChosen} />
    ${loading && html`<${Loading} />`} ${error && html`<${ErrorNote} error=${error} retry=${reload} />`} ${empty && html`<${Empty}>${t('noEvents')}<//>`}
    ${data && html`<div class="grid" data-loaded=${loading ? 'false' : 'true'}><${Panels} data=${data} t=${t} format=${format} /></div>`}
    ${SQL_ROLES.includes(session?.role) && html`<div class="grid"><${SqlTiles} /></div>`}
  `;
}
