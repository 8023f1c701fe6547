// The dashboard: headline metrics, delivery rate by carrier, the send → conversion funnel, the best send time, open
// alerts, segments and experiments, over a date range the analyst picks (the last 30 days by default).
import { html, useMemo, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useFormat, useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { Chart, TOOLTIP } from '../components/chart.js';
import { Empty, ErrorNote, Loading } from '../components/states.js';

const TEXT = {
  'zh-CN': {
    title: '数据看板',
    from: '开始日期',
    to: '结束日期',
    headline: '核心指标',
    deliveryByCarrier: '到达率（按运营商，按天）',
    funnel: '转化漏斗（按用户，72 小时）',
    sendTime: '最佳发送时间（点击率，按周几与小时）',
    alerts: '未处理告警',
    segmentsExperiments: '人群与实验',
    send_success_rate: '发送成功率',
    delivery_rate: '到达率',
    click_rate: '点击率/打开率',
    conversion_rate: '转化率',
    complaint_rate: '投诉率',
    unsubscribe_rate: '退订率',
    revenue: '每条送达收入',
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
    title: 'Dashboard',
    from: 'From',
    to: 'To',
    headline: 'Headline metrics',
    deliveryByCarrier: 'Delivery rate by carrier, daily',
    funnel: 'Funnel by user, 72 h window',
    sendTime: 'Best send time (click rate by weekday and hour)',
    alerts: 'Open alerts',
    segmentsExperiments: 'Segments and experiments',
    send_success_rate: 'Send success rate',
    delivery_rate: 'Delivery rate',
    click_rate: 'Click (open) rate',
    conversion_rate: 'Conversion rate',
    complaint_rate: 'Complaint rate',
    unsubscribe_rate: 'Unsubscribe rate',
    revenue: 'Revenue per delivered',
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

const DAY = 86_400_000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** Everything the page shows, read at once for the range [from, to + 1 day). */
function loadDashboard(fromDay, toDay) {
  const from = `${fromDay}T00:00:00Z`;
  const to = new Date(Date.parse(`${toDay}T00:00:00Z`) + DAY).toISOString();
  const range = { from, to };
  return Promise.all([
    api('GET', '/metrics/summary', { query: range }),
    api('GET', '/metrics', { query: { metric: 'delivery_rate', interval: 'day', breakdown: 'carrier', ...range } }),
    api('POST', '/funnels', { body: { steps: ['send', 'delivery', 'click', 'conversion'], window_hours: 72, from, to } }),
    api('GET', '/insights/send-time', { query: range }),
    api('GET', '/alerts', { query: { status: 'open' } }),
    api('GET', '/segments', { query: { limit: 20 } }),
    api('GET', '/experiments', { query: { limit: 20 } }),
  ]).then(([summary, series, funnel, sendTime, alerts, segments, experiments]) => ({ summary, series, funnel, sendTime, alerts, segments, experiments }));
}

function Cards({ cards, t, format }) {
  return html`<div class="cards">
    ${cards.map(
      (c) =>
        html`<div class="card ${c.status}" data-metric=${c.metric}>
          <div>${t(c.metric)}</div>
          <div class="value">${c.metric === 'revenue' ? format.number(Number((c.rate ?? 0).toFixed(2))) : format.percent(c.rate)}</div>
          <div>${format.number(c.numerator)} / ${format.number(c.denominator)}</div>
        </div>`,
    )}
  </div>`;
}

function chartOptions(data, t) {
  const points = data.series.series;
  const days = [...new Set(points.map((p) => p.local.slice(0, 10)))];
  const carriers = [...new Set(points.map((p) => p.group))];
  const cells = data.sendTime.grid.flat().map((c) => [c.hour, c.weekday - 1, Number((c.shrunk_rate * 100).toFixed(2))]);
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
    heatmap: {
      tooltip: TOOLTIP,
      xAxis: { type: 'category', data: [...Array(24).keys()] },
      yAxis: { type: 'category', data: t('weekdays') },
      visualMap: {
        min: Math.min(...cells.map((c) => c[2])),
        max: Math.max(...cells.map((c) => c[2])),
        calculable: true,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
      },
      grid: { bottom: 70 },
      series: [{ type: 'heatmap', data: cells }],
    },
  };
}

function Panels({ data, t, format }) {
  const options = useMemo(() => chartOptions(data, t), [data, t('send')]);
  const alerts = data.alerts.alerts;
  return html`
    <section class="wide">
      <h2>${t('headline')}</h2>
      <${Cards} cards=${data.summary.cards} t=${t} format=${format} />
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
                      <td>${a.spec.bucket}</td>
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

export function Dashboard() {
  const t = useText(TEXT);
  const format = useFormat();
  const today = Date.now();
  const [fromDay, setFromDay] = useState(isoDay(today - 29 * DAY));
  const [toDay, setToDay] = useState(isoDay(today));
  const { data, error, loading, reload } = useApi(() => loadDashboard(fromDay, toDay), [fromDay, toDay]);
  const empty = data && data.summary.cards.every((c) => !c.denominator);
  return html`
    <div class="page-head">
      <h2 class="page-title">${t('title')}</h2>
      <label
        >${t('from')} <input type="date" value=${fromDay} max=${toDay} onChange=${(e) => e.currentTarget.value && setFromDay(e.currentTarget.value)}
      /></label>
      <label>${t('to')} <input type="date" value=${toDay} min=${fromDay} onChange=${(e) => e.currentTarget.value && setToDay(e.currentTarget.value)} /></label>
    </div>
    ${loading && html`<${Loading} />`} ${error && html`<${ErrorNote} error=${error} retry=${reload} />`} ${empty && html`<${Empty}>${t('noEvents')}<//>`}
    ${data && html`<div class="grid" data-loaded="true"><${Panels} data=${data} t=${t} format=${format} /></div>`}
  `;
}
