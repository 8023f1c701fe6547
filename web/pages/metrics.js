// The metric explorer: a metric over a range, by hour, day or week (cut in the workspace's zone), optionally broken
// down and filtered (GET /v1/metrics), drawn as lines with a table of every bucket.
import { html, useMemo, useState } from '../lib/ui.js';
import { api, useFormat, useText, useApi, Chart, TOOLTIP, Empty, ErrorNote, Loading, DateRange, useDateRange } from './analytics-kit.js';
import { BREAKDOWN_COLUMNS, EventFilters, filterClauses, useColumnName } from '../components/event-value-picker.js';
import { METRIC_NAMES } from '../lib/metric-names.js';

const TEXT = {
  'zh-CN': {
    ...METRIC_NAMES['zh-CN'],
    title: '指标分析',
    metric: '指标',
    interval: '时间粒度',
    hour: '按小时',
    day: '按天',
    week: '按周',
    breakdown: '细分维度',
    noBreakdown: '不细分',
    chart: '指标走势',
    table: '各时间段数值',
    bucket: '时间段（{tz}）',
    group: '分组',
    numerator: '分子',
    denominator: '分母',
    value: '数值',
    noData: '所选时间和筛选下没有数据。放宽筛选或换一个时间范围。',
  },
  en: {
    ...METRIC_NAMES.en,
    title: 'Metric explorer',
    metric: 'Metric',
    interval: 'Interval',
    hour: 'Hourly',
    day: 'Daily',
    week: 'Weekly',
    breakdown: 'Breakdown',
    noBreakdown: 'No breakdown',
    chart: 'Metric over time',
    table: 'Value per bucket',
    bucket: 'Bucket ({tz})',
    group: 'Group',
    numerator: 'Numerator',
    denominator: 'Denominator',
    value: 'Value',
    noData: 'No data for this range and these filters. Widen the filters or pick another range.',
  },
};

const METRICS = ['send_success_rate', 'delivery_rate', 'click_rate', 'conversion_rate', 'complaint_rate', 'unsubscribe_rate', 'revenue'];

/** Buckets as local times ('2025-03-03 00:00') and one line per group. */
function chartOption(answer) {
  const buckets = [...new Set(answer.series.map((p) => p.local))];
  const groups = [...new Set(answer.series.map((p) => p.group ?? ''))];
  return {
    tooltip: { ...TOOLTIP, trigger: 'axis' },
    legend: { data: groups, type: 'scroll' },
    xAxis: { type: 'category', data: buckets },
    yAxis: { type: 'value', min: 0 },
    series: groups.map((g) => ({
      name: g,
      type: 'line',
      connectNulls: true,
      data: buckets.map((b) => answer.series.find((p) => (p.group ?? '') === g && p.local === b)?.rate ?? null),
    })),
  };
}

export function MetricExplorer() {
  const t = useText(TEXT);
  const format = useFormat();
  const columnName = useColumnName();
  const dates = useDateRange(30);
  const [metric, setMetric] = useState('delivery_rate');
  const [interval, setBucketInterval] = useState('day');
  const [breakdown, setBreakdown] = useState('');
  const [chosen, setChosen] = useState({});
  const filters = useMemo(() => filterClauses(chosen), [chosen]);
  const { data, error, loading, reload } = useApi(
    () =>
      api('GET', '/metrics', {
        query: { metric, interval, breakdown, ...dates.range, filters: filters.length ? JSON.stringify(filters) : undefined },
      }),
    [metric, interval, breakdown, dates.range, filters],
  );
  const option = useMemo(() => data && chartOption(data), [data]);
  const value = (x) => (data?.metric === 'revenue' ? format.number(x === null ? null : Number(x.toFixed(2))) : format.percent(x));
  const choose = (set) => (e) => set(e.currentTarget.value);
  return html`
    <div class="page-head">
      <h2 class="page-title">${t('title')}</h2>
      <label
        >${t('metric')}
        <select name="metric" value=${metric} onChange=${choose(setMetric)}>
          ${METRICS.map((m) => html`<option value=${m}>${t(m)}</option>`)}
        </select></label
      >
      <label
        >${t('interval')}
        <select name="interval" value=${interval} onChange=${choose(setBucketInterval)}>
          ${['hour', 'day', 'week'].map((i) => html`<option value=${i}>${t(i)}</option>`)}
        </select></label
      >
      <label
        >${t('breakdown')}
        <select name="breakdown" value=${breakdown} onChange=${choose(setBreakdown)}>
          <option value="">${t('noBreakdown')}</option>
          ${BREAKDOWN_COLUMNS.map((c) => html`<option value=${c}>${columnName(c)}</option>`)}
        </select></label
      >
      <${DateRange} state=${dates} />
    </div>
    <${EventFilters} range=${dates.range} chosen=${chosen} onChange=${setChosen} />
    ${loading && html`<${Loading} />`} ${error && html`<${ErrorNote} error=${error} retry=${reload} />`}
    ${data && !data.series.length && html`<${Empty}>${t('noData')}<//>`}
    ${
      data &&
      data.series.length > 0 &&
      html`<div class="grid" data-loaded=${loading ? 'false' : 'true'}>
        <section class="wide">
          <h2>${t('chart')}</h2>
          <${Chart} id="metric-chart" option=${option} label=${t('chart')} />
        </section>
        <section class="wide">
          <h2>${t('table')}</h2>
          <table id="metric-table">
            <thead>
              <tr>
                <th scope="col">${t('bucket', { tz: data.timezone })}</th>
                ${data.breakdown && html`<th scope="col">${t('group')}</th>`}
                <th scope="col">${t('numerator')}</th>
                <th scope="col">${t('denominator')}</th>
                <th scope="col">${t('value')}</th>
              </tr>
            </thead>
            <tbody>
              ${data.series.map(
                (p) =>
                  html`<tr data-bucket=${p.bucket}>
                    <td>${p.local}</td>
                    ${data.breakdown && html`<td class="group">${p.group}</td>`}
                    <td class="numerator">${format.number(p.numerator)}</td>
                    <td class="denominator">${format.number(p.denominator)}</td>
                    <td class="rate">${value(p.rate)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </section>
      </div>`
    }
  `;
}
