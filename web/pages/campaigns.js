// Campaign costs and ROI (GET /v1/campaigns/roi): per campaign (or template, channel, segment) the messages, billed
// parts, cost, conversions and revenue credited by last touch, ROI and cost per conversion, as cards over a date range;
// the totals, the conversions no delivery explains, and the prices in effect (GET /v1/prices), which admins change.
import { html, useState } from '../lib/ui.js';
import { api, useFormat, useText, useApi, Empty, ErrorNote, Loading, DateRange, useDateRange } from './analytics-kit.js';
import { PriceEditor } from '../components/price-editor.js';

const TEXT = {
  'zh-CN': {
    title: '营销成本与 ROI',
    groupBy: '分组方式',
    campaign: '按活动',
    template: '按模板',
    channel: '按通道',
    segment: '按人群',
    attributionDays: '归因窗口（天）',
    attributionNote: '末次触达归因（跨活动）：每次转化归于 {days} 天内最近一次成功送达给同一联系人的消息。',
    totals: '合计',
    groups: '各分组',
    none: '（未标注）',
    messages: '发送条数',
    parts: '计费条数',
    cost: '成本',
    conversions: '转化',
    revenue: '收入',
    roi: 'ROI',
    costPerConversion: '单次转化成本',
    unpriced: '{n} 条消息发送于首个价格生效之前，成本按 0 计。',
    unattributed: '未归因：{n} 次转化（收入 {revenue} {currency}）在窗口内没有送达记录。',
    noSends: '所选时间内没有发送记录。请换一个时间范围，或导入事件（smsp seed-demo 可生成演示数据）。',
    prices: '当前价格（每计费条）',
    noPrices: '尚未设置价格：成本按 0 计，ROI 无法计算。管理员可在本页或通过 PUT /v1/prices 设置。',
    effectiveFrom: '生效时间',
    defaultPrice: '默认单价',
    ruleChannel: '通道',
    ruleCarrier: '运营商',
    allCarriers: '全部运营商',
    perPart: '单价',
    segmentNote: '按人群分组使用发送事件 properties 中的 segment_id。',
  },
  en: {
    title: 'Campaign costs and ROI',
    groupBy: 'Group by',
    campaign: 'Campaign',
    template: 'Template',
    channel: 'Channel',
    segment: 'Segment',
    attributionDays: 'Attribution window (days)',
    attributionNote:
      'Last touch across campaigns: each conversion is credited to the most recent successful delivery to the same contact within {days} days before it.',
    totals: 'Totals',
    groups: 'By group',
    none: '(none)',
    messages: 'Messages',
    parts: 'Billed parts',
    cost: 'Cost',
    conversions: 'Conversions',
    revenue: 'Revenue',
    roi: 'ROI',
    costPerConversion: 'Cost per conversion',
    unpriced: '{n} messages were sent before the first price took effect; their cost counts as 0.',
    unattributed: 'Unattributed: {n} conversions (revenue {revenue} {currency}) had no delivery within the window.',
    noSends: 'No sends in this range. Pick another range, or import events (smsp seed-demo makes demo data).',
    prices: 'Prices in effect (per billed part)',
    noPrices: 'No prices set yet: costs count as 0 and ROI cannot be computed. An admin sets them on this page or with PUT /v1/prices.',
    effectiveFrom: 'Effective from',
    defaultPrice: 'Default price',
    ruleChannel: 'Channel',
    ruleCarrier: 'Carrier',
    allCarriers: 'All carriers',
    perPart: 'Per part',
    segmentNote: 'Segment grouping uses segment_id in the send events’ properties.',
  },
};

const GROUPS = ['campaign', 'template', 'channel', 'segment'];
const FIGURES = ['messages', 'parts', 'cost', 'conversions', 'revenue', 'roi', 'costPerConversion'];

/** A figure as shown: money to the cent, ROI as a percentage, counts as numbers. */
function shown(name, g, format) {
  const money = (x) => (x === null ? '–' : format.number(Math.round(x * 100) / 100));
  if (name === 'roi') return format.percent(g.roi);
  if (name === 'costPerConversion') return money(g.cost_per_conversion);
  if (name === 'cost' || name === 'revenue') return money(g[name]);
  return format.number(g[name]);
}

function Figures({ figures, t, format }) {
  return html`<dl class="roi-figures">
    ${FIGURES.map(
      (name) =>
        html`<div>
          <dt>${t(name)}</dt>
          <dd class=${name}>${shown(name, figures, format)}</dd>
        </div>`,
    )}
  </dl>`;
}

function Prices({ prices, t, format }) {
  const current = prices.current;
  if (!current) return html`<${Empty}>${t('noPrices')}<//>`;
  return html`<p>
      ${t('effectiveFrom')}: ${format.dateTime(current.effective_from)} · ${t('defaultPrice')}: ${format.number(current.default_per_part)} ${prices.currency}
    </p>
    ${
      current.rules.length > 0 &&
      html`<table class="roi-prices">
        <thead>
          <tr>
            <th scope="col">${t('ruleChannel')}</th>
            <th scope="col">${t('ruleCarrier')}</th>
            <th scope="col">${t('perPart')}</th>
          </tr>
        </thead>
        <tbody>
          ${current.rules.map(
            (r) =>
              html`<tr>
                <td>${r.channel}</td>
                <td>${r.carrier ?? t('allCarriers')}</td>
                <td>${format.number(r.per_part)} ${prices.currency}</td>
              </tr>`,
          )}
        </tbody>
      </table>`
    }`;
}

/** The totals and one card per group. */
function Performance({ roi, t, format }) {
  const unattributed = roi.unattributed;
  return html`
    <section class="wide">
      <h2>${t('totals')} (${roi.currency})</h2>
      <div class="roi-card roi-totals" data-key="">
        <${Figures} figures=${roi.totals} t=${t} format=${format} />
      </div>
      <p class="roi-note">${t('attributionNote', { days: roi.attribution_days })}</p>
      ${roi.totals.unpriced_messages > 0 && html`<p class="roi-note roi-unpriced">${t('unpriced', { n: format.number(roi.totals.unpriced_messages) })}</p>`}
      ${
        unattributed.conversions > 0 &&
        html`<p class="roi-note roi-unattributed">
          ${t('unattributed', { n: format.number(unattributed.conversions), revenue: format.number(unattributed.revenue), currency: roi.currency })}
        </p>`
      }
      ${roi.group_by === 'segment' && html`<p class="roi-note">${t('segmentNote')}</p>`}
    </section>
    <section class="wide">
      <h2>${t('groups')}</h2>
      <ul class="roi-cards">
        ${roi.groups.map(
          (g) =>
            html`<li class="roi-card" data-key=${g.key}>
              <h3 class="roi-key">${g.key || t('none')}</h3>
              <${Figures} figures=${g} t=${t} format=${format} />
            </li>`,
        )}
      </ul>
    </section>
  `;
}

/** The figures (unless the range has no sends) and the prices, which admins change here. */
function Result({ data, empty, canSetPrices, reload, t, format }) {
  const { roi, prices } = data;
  return html`
    ${!empty && html`<${Performance} roi=${roi} t=${t} format=${format} />`}
    <section class="wide">
      <h2>${t('prices')}</h2>
      <${Prices} prices=${prices} t=${t} format=${format} />
      ${canSetPrices && html`<${PriceEditor} current=${prices.current} onSaved=${reload} />`}
    </section>
  `;
}

/** Admins may set prices (PUT /v1/prices); every reader sees them. */
const PRICE_SETTERS = ['admin'];

export function Campaigns({ session }) {
  const t = useText(TEXT);
  const format = useFormat();
  const dates = useDateRange(30);
  const [groupBy, setGroupBy] = useState('campaign');
  const [days, setDays] = useState(7);
  const { data, error, loading, reload } = useApi(async () => {
    const [roi, prices] = await Promise.all([
      api('GET', '/campaigns/roi', { query: { ...dates.range, group_by: groupBy, attribution_days: days } }),
      api('GET', '/prices'),
    ]);
    return { roi, prices };
  }, [dates.range, groupBy, days]);
  const empty = data && data.roi.totals.messages === 0 && data.roi.groups.length === 0;
  return html`
    <div class="page-head">
      <h2 class="page-title">${t('title')}</h2>
      <${DateRange} state=${dates} />
      <label
        >${t('groupBy')}
        <select name="group-by" value=${groupBy} onChange=${(e) => setGroupBy(e.currentTarget.value)}>
          ${GROUPS.map((g) => html`<option value=${g}>${t(g)}</option>`)}
        </select></label
      >
      <label
        >${t('attributionDays')}
        <input
          type="number"
          name="attribution-days"
          min="1"
          max="90"
          value=${days}
          onChange=${(e) => {
            const n = Number(e.currentTarget.value);
            if (Number.isInteger(n) && n >= 1 && n <= 90) setDays(n);
          }}
      /></label>
    </div>
    ${loading && html`<${Loading} />`} ${error && html`<${ErrorNote} error=${error} retry=${reload} />`} ${empty && html`<${Empty}>${t('noSends')}<//>`}
    ${
      data &&
      html`<div class="grid" data-loaded=${loading ? 'false' : 'true'}>
        <${Result} data=${data} empty=${empty} canSetPrices=${PRICE_SETTERS.includes(session.role)} reload=${reload} t=${t} format=${format} />
      </div>`
    }
  `;
}
