// One alert (#/alerts/:id): its rule's metric series (GET /v1/metrics, same interval, breakdown value and filters)
// over a window around the bucket that fired, the fired bucket marked and the rule's threshold drawn.
import { Chart, TOOLTIP } from '../components/chart.js';
import { Empty, ErrorNote, Loading } from '../components/states.js';
import { TemplateAlertDetail } from '../components/template-alert-detail.js';
import { api } from '../lib/api.js';
import { useFormat, useText } from '../lib/i18n.js';
import { html, useMemo } from '../lib/ui.js';
import { useApi } from '../lib/use-api.js';

const TEXT = {
  'zh-CN': {
    back: '返回告警列表',
    fired: '触发时间段',
    observed: '触发时的观测值',
    current: '该时间段现在的值',
    expected: '预期范围',
    volume: '样本量',
    status: '状态',
    open: '未处理',
    acked: '已确认',
    chart: '{metric} 在触发时间段前后的走势',
    noSeries: '该时间窗口内没有数据。',
    ruleGone: '该告警的规则已删除，按小时显示。',
  },
  en: {
    back: 'Back to alerts',
    fired: 'Bucket that fired',
    observed: 'Observed when it fired',
    current: 'The bucket now',
    expected: 'Expected range',
    volume: 'Volume',
    status: 'Status',
    open: 'Open',
    acked: 'Acknowledged',
    chart: '{metric} around the bucket that fired',
    noSeries: 'No data in this window.',
    ruleGone: 'The rule of this alert was deleted; shown hourly.',
  },
};

/** Buckets shown on each side of the fired one. */
const SPAN = { hour: 24 * 3600_000, day: 14 * 86_400_000, week: 8 * 7 * 86_400_000 };

/** The alert, its rule (if it still exists) and the metric series around the fired bucket. */
async function loadAlert(id) {
  const alert = await api('GET', `/alerts/${encodeURIComponent(id)}`);
  const { rules } = await api('GET', '/alert-rules');
  const rule = rules.find((r) => r.id === alert.spec.rule_id);
  const interval = rule?.spec.interval ?? 'hour';
  const bucketMs = Date.parse(alert.spec.bucket);
  const query = {
    metric: alert.spec.metric,
    interval,
    from: new Date(bucketMs - SPAN[interval]).toISOString(),
    to: new Date(Math.min(bucketMs + SPAN[interval], Date.now())).toISOString(),
    breakdown: alert.spec.breakdown,
    filters: rule?.spec.filters?.length ? JSON.stringify(rule.spec.filters) : undefined,
  };
  const series = await api('GET', '/metrics', { query });
  const points = series.series.filter((p) => !alert.spec.breakdown || p.group === alert.spec.breakdown_value);
  return { alert, rule, points, query };
}

function seriesOption(data, format) {
  const { alert, rule, points } = data;
  const fired = points.findIndex((p) => Date.parse(p.bucket) === Date.parse(alert.spec.bucket));
  const thresholds = [rule?.spec.threshold?.below, rule?.spec.threshold?.at_or_above].filter((x) => x !== undefined);
  return {
    tooltip: { ...TOOLTIP, trigger: 'axis' },
    grid: { left: 60, right: 20, top: 30, bottom: 40 },
    xAxis: { type: 'category', data: points.map((p) => format.dateTime(p.bucket)) },
    yAxis: { type: 'value' },
    series: [
      {
        type: 'line',
        connectNulls: true,
        data: points.map((p) => p.rate),
        markLine: thresholds.length
          ? { silent: true, symbol: 'none', data: thresholds.map((y) => ({ yAxis: y })), lineStyle: { color: '#d1242f' } }
          : undefined,
        markArea: fired >= 0 ? { silent: true, itemStyle: { color: 'rgba(209, 36, 47, 0.15)' }, data: [[{ xAxis: fired }, { xAxis: fired }]] } : undefined,
        markPoint: fired >= 0 ? { silent: true, data: [{ coord: [fired, points[fired].rate], symbolSize: 40 }] } : undefined,
      },
    ],
  };
}

function Figures({ data, t, format }) {
  const { alert, points } = data;
  const now = points.find((p) => Date.parse(p.bucket) === Date.parse(alert.spec.bucket));
  const figure = (name, value, raw) =>
    html`<div>
      <dt>${t(name)}</dt>
      <dd data-field=${name} data-value=${raw ?? ''}>${value}</dd>
    </div>`;
  return html`<dl class="figures">
    ${figure('fired', format.dateTime(alert.spec.bucket), alert.spec.bucket)} ${figure('observed', format.percent(alert.spec.observed), alert.spec.observed)}
    ${figure('current', format.percent(now?.rate), now?.rate)}
    ${alert.spec.expected_low !== null && figure('expected', `${format.percent(alert.spec.expected_low)} … ${format.percent(alert.spec.expected_high)}`)}
    ${figure('volume', format.number(alert.spec.volume), alert.spec.volume)} ${figure('status', t(alert.spec.status), alert.spec.status)}
  </dl>`;
}

export function AlertSeries({ id }) {
  const t = useText(TEXT);
  const format = useFormat();
  const { data, error, loading, reload } = useApi(() => loadAlert(id), [id]);
  const option = useMemo(() => data && seriesOption(data, format), [data, format.timezone]);
  const label = data ? t('chart', { metric: data.alert.spec.metric }) : '';
  return html`
    <div class="page-head">
      <h2 class="page-title">${data ? `${data.alert.name}${data.alert.spec.breakdown_value ? ` · ${data.alert.spec.breakdown_value}` : ''}` : ''}</h2>
      <a href="#/alerts">${t('back')}</a>
    </div>
    ${loading && html`<${Loading} />`} ${error && html`<${ErrorNote} error=${error} retry=${reload} />`}
    ${
      data &&
      html`<section class="wide" data-loaded="true">
        <${Figures} data=${data} t=${t} format=${format} />
        ${data.alert.spec.template && html`<${TemplateAlertDetail} template=${data.alert.spec.template} />`}
        ${!data.rule && html`<p class="state empty">${t('ruleGone')}</p>`}
        ${data.points.length ? html`<${Chart} id="alert-series" option=${option} label=${label} tall=${true} />` : html`<${Empty}>${t('noSeries')}<//>`}
      </section>`
    }
  `;
}
