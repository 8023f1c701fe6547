// Best send time: the hour-of-week heatmap of click (or conversion) rates per delivered message, for everyone or
// for one segment's contacts (GET /v1/insights/send-time), with the recommended window outlined and stated.
import { html, useMemo, useState } from '../lib/ui.js';
import { api, useFormat, useText, useApi, Chart, Empty, ErrorNote, Loading, DateRange, useDateRange } from './analytics-kit.js';
import { weekHeatmapOption } from '../components/week-heatmap.js';

const TEXT = {
  'zh-CN': {
    title: '最佳发送时间',
    segment: '人群',
    everyone: '全部联系人',
    metric: '指标',
    click_rate: '点击率',
    conversion_rate: '转化率',
    windowHours: '推荐时段长度',
    hours: '{n} 小时',
    quietHours: '免打扰时段',
    heatmap: '按周几与小时的{metric}（{tz}，已向总体均值收缩）',
    recommended: '推荐发送时段：{day} {start}–{end}，预计{metric} {rate}（该时段 {delivered} 条送达）',
    noRecommendation: '数据不足，暂无推荐时段。',
    overall: '总体{metric}：{rate}，共 {delivered} 条送达',
    noData: '所选时间内该人群没有送达的消息。换一个时间范围或人群再试。',
    weekdays: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'],
  },
  en: {
    title: 'Best send time',
    segment: 'Segment',
    everyone: 'All contacts',
    metric: 'Metric',
    click_rate: 'click rate',
    conversion_rate: 'conversion rate',
    windowHours: 'Window length',
    hours: '{n} h',
    quietHours: 'Quiet hours',
    heatmap: '{metric} by weekday and hour ({tz}, shrunk toward the overall rate)',
    recommended: 'Recommended window: {day} {start}–{end}, expected {metric} {rate} ({delivered} delivered in it)',
    noRecommendation: 'Not enough data for a recommendation yet.',
    overall: 'Overall {metric}: {rate} over {delivered} delivered',
    noData: 'No delivered messages for this segment in this range. Try another range or segment.',
    weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
  },
};

const QUIET_HOURS = ['22-8', '21-9', '20-9', '0-6'];

/** The hours of the recommended window, as [hour, weekday] cells to outline. */
const windowCells = (rec) => {
  if (!rec) return [];
  const cells = [];
  for (let h = Number(rec.start.slice(0, 2)); h < Number(rec.end.slice(0, 2)); h++) cells.push([h, rec.weekday]);
  return cells;
};

export function SendTime() {
  const t = useText(TEXT);
  const format = useFormat();
  const dates = useDateRange(30);
  const [segment, setSegment] = useState('');
  const [metric, setMetric] = useState('click_rate');
  const [windowHours, setWindowHours] = useState('2');
  const [quiet, setQuiet] = useState('22-8');
  const segments = useApi(() => api('GET', '/segments', { query: { limit: 100 } }), []);
  const { data, error, loading, reload } = useApi(
    () => api('GET', '/insights/send-time', { query: { ...dates.range, metric, segment_id: segment, window_hours: windowHours, quiet_hours: quiet } }),
    [dates.range, metric, segment, windowHours, quiet],
  );
  const weekdays = t('weekdays');
  const option = useMemo(() => data && weekHeatmapOption(data.grid, weekdays, windowCells(data.recommended)), [data, weekdays[0]]);
  const choose = (set) => (e) => set(e.currentTarget.value);
  const metricName = t(metric);
  const rec = data?.recommended;
  return html`
    <div class="page-head">
      <h2 class="page-title">${t('title')}</h2>
      <label
        >${t('segment')}
        <select name="segment" value=${segment} onChange=${choose(setSegment)}>
          <option value="">${t('everyone')}</option>
          ${(segments.data?.segments ?? []).map((s) => html`<option value=${s.id}>${s.name}</option>`)}
        </select></label
      >
      <label
        >${t('metric')}
        <select name="metric" value=${metric} onChange=${choose(setMetric)}>
          ${['click_rate', 'conversion_rate'].map((m) => html`<option value=${m}>${t(m)}</option>`)}
        </select></label
      >
      <label
        >${t('windowHours')}
        <select name="window-hours" value=${windowHours} onChange=${choose(setWindowHours)}>
          ${['1', '2', '3', '4'].map((n) => html`<option value=${n}>${t('hours', { n })}</option>`)}
        </select></label
      >
      <label
        >${t('quietHours')}
        <select name="quiet-hours" value=${quiet} onChange=${choose(setQuiet)}>
          ${QUIET_HOURS.map((q) => html`<option value=${q}>${q.replace('-', ':00–')}:00</option>`)}
        </select></label
      >
      <${DateRange} state=${dates} />
    </div>
    ${segments.error && html`<${ErrorNote} error=${segments.error} retry=${segments.reload} />`} ${loading && html`<${Loading} />`}
    ${error && html`<${ErrorNote} error=${error} retry=${reload} />`} ${data && !data.delivered && html`<${Empty}>${t('noData')}<//>`}
    ${
      data &&
      data.delivered > 0 &&
      html`<div class="grid" data-loaded=${loading ? 'false' : 'true'}>
        <section class="wide">
          <p id="recommended" class="recommendation">
            ${
              rec
                ? t('recommended', {
                    day: weekdays[rec.weekday - 1],
                    start: rec.start,
                    end: rec.end,
                    metric: metricName,
                    rate: format.percent(rec.expected_rate),
                    delivered: format.number(rec.delivered),
                  })
                : t('noRecommendation')
            }
          </p>
          <p id="overall">${t('overall', { metric: metricName, rate: format.percent(data.overall_rate), delivered: format.number(data.delivered) })}</p>
          <h2>${t('heatmap', { metric: metricName, tz: data.timezone })}</h2>
          <${Chart} id="send-time-heatmap" option=${option} label=${t('heatmap', { metric: metricName, tz: data.timezone })} tall=${true} />
        </section>
      </div>`
    }
  `;
}
