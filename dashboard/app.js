// The dashboard: reads the API with the key typed in, draws with ECharts (served locally, no CDN).
// Every value from the API reaches the page as text (DOM nodes, canvas text): names of segments,
// experiments, carriers and alerts are typed in by users and may hold markup.

// The Content-Security-Policy requires Trusted Types, so the browser refuses any HTML string written
// into the page; this policy lets through only the empty string ECharts writes to clear its container.
if (window.trustedTypes) trustedTypes.createPolicy('default', { createHTML: (html) => (html === '' ? html : null) });

const TEXT = {
  'zh-CN': {
    title: '短信营销数据看板',
    apiKey: 'API 密钥',
    load: '加载',
    headline: '核心指标（近 30 天）',
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
    segment: '人群',
    experiment: '实验',
    loaded: '已加载',
    weekdays: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'],
  },
  en: {
    title: 'SMS marketing dashboard',
    apiKey: 'API key',
    load: 'Load',
    headline: 'Headline metrics (last 30 days)',
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
    segment: 'Segment',
    experiment: 'Experiment',
    loaded: 'Loaded',
    weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
  },
};
let t = TEXT['zh-CN'];

function applyText(locale) {
  t = TEXT[locale] || TEXT['zh-CN'];
  document.documentElement.lang = locale;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t[el.dataset.i18n];
}

async function api(path, options = {}) {
  const key = document.getElementById('key').value;
  const res = await fetch(path, { ...options, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(options.headers || {}) } });
  if (!res.ok) throw new Error(`${path}: ${(await res.json()).message}`);
  return res.json();
}

/** An element whose children are nodes or text: strings become text nodes, never markup. */
function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children.map((c) => (c instanceof Node ? c : String(c ?? ''))));
  return node;
}

const row = (...cells) => el('tr', '', ...cells.map((c) => el('td', '', c)));

// ECharts draws names on the canvas, but its default tooltip is HTML built from series and category
// names: render tooltips on the canvas too.
const TOOLTIP = { renderMode: 'richText' };

const pct = (x) => (x === null ? '–' : `${(x * 100).toFixed(2)}%`);

async function load() {
  const status = document.getElementById('status');
  try {
    const chosen = document.getElementById('lang').value || new URLSearchParams(location.search).get('lang');
    const workspace = await api('/v1/workspace');
    applyText(chosen || workspace.locale);
    const to = new Date();
    const from = new Date(to.getTime() - 30 * 86400000);
    const range = `from=${from.toISOString()}&to=${to.toISOString()}`;
    const [summary, series, funnel, sendTime, alerts, segments, experiments] = await Promise.all([
      api(`/v1/metrics/summary?${range}`),
      api(`/v1/metrics?metric=delivery_rate&interval=day&breakdown=carrier&${range}`),
      api('/v1/funnels', {
        method: 'POST',
        body: JSON.stringify({ steps: ['send', 'delivery', 'click', 'conversion'], window_hours: 72, from: from.toISOString(), to: to.toISOString() }),
      }),
      api(`/v1/insights/send-time?${range}`),
      api('/v1/alerts?status=open'),
      api('/v1/segments?limit=20'),
      api('/v1/experiments?limit=20'),
    ]);
    document
      .getElementById('cards')
      .replaceChildren(
        ...summary.cards.map((c) =>
          el(
            'div',
            `card ${c.status}`,
            el('div', '', t[c.metric] || c.metric),
            el('div', 'value', c.metric === 'revenue' ? (c.rate ?? 0).toFixed(2) : pct(c.rate)),
            el('div', '', `${c.numerator} / ${c.denominator}`),
          ),
        ),
      );
    const days = [...new Set(series.series.map((p) => p.local.slice(0, 10)))];
    const carriers = [...new Set(series.series.map((p) => p.group))];
    echarts.init(document.getElementById('series')).setOption({
      animation: false,
      tooltip: { ...TOOLTIP, trigger: 'axis' },
      legend: { data: carriers },
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value', min: 0, max: 1 },
      series: carriers.map((c) => ({
        name: c,
        type: 'line',
        connectNulls: true,
        showSymbol: true,
        data: days.map((d) => series.series.find((p) => p.group === c && p.local.startsWith(d))?.rate ?? null),
      })),
    });
    echarts.init(document.getElementById('funnel')).setOption({
      animation: false,
      tooltip: TOOLTIP,
      xAxis: { type: 'category', data: funnel.steps.map((s) => t[s.type]) },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', data: funnel.steps.map((s) => s.count), label: { show: true, position: 'top' } }],
    });
    const cells = sendTime.grid.flat().map((c) => [c.hour, c.weekday - 1, Number((c.shrunk_rate * 100).toFixed(2))]);
    echarts.init(document.getElementById('heatmap')).setOption({
      animation: false,
      tooltip: TOOLTIP,
      xAxis: { type: 'category', data: [...Array(24).keys()] },
      yAxis: { type: 'category', data: t.weekdays },
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
    });
    document
      .getElementById('alerts')
      .replaceChildren(
        ...(alerts.alerts.length
          ? alerts.alerts.map((a) => row(t[a.spec.metric] || a.spec.metric, a.spec.breakdown_value ?? '', a.spec.bucket, pct(a.spec.observed)))
          : [row(t.noAlerts)]),
      );
    document
      .getElementById('lists')
      .replaceChildren(
        ...segments.segments.map((s) => row(t.segment, s.name)),
        ...experiments.experiments.map((e) => row(t.experiment, e.name, e.spec.status)),
      );
    status.textContent = t.loaded;
    document.body.dataset.loaded = 'true';
  } catch (err) {
    status.textContent = String(err.message || err);
  }
}

applyText(new URLSearchParams(location.search).get('lang') || 'zh-CN');
document.getElementById('load').addEventListener('click', load);
// The key lives for the tab only (sessionStorage); earlier versions kept it in localStorage, where any
// script on the origin could read it long after: remove that copy.
const KEY_ITEM = 'smsp-key';
localStorage.removeItem(KEY_ITEM);
document.getElementById('key').value = sessionStorage.getItem(KEY_ITEM) || '';
document.getElementById('key').addEventListener('change', (e) => sessionStorage.setItem(KEY_ITEM, e.target.value));
