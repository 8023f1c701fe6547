// Delivery by template (#/template-delivery): per template, then per carrier, accepted sends, delivered and failed
// receipts, the delivery rate and the top error codes over a range (GET /v1/delivery/by-template), optionally for one
// carrier. Templates the registry does not know are named by their id and marked. Rates below the articles' 90 %
// level are marked.
import { html, useState } from '../lib/ui.js';
import { api, useFormat, useText, useApi, Empty, ErrorNote, Loading, DateRange, useDateRange } from './analytics-kit.js';
import { ValuePicker } from '../components/event-value-picker.js';

const TEXT = {
  'zh-CN': {
    title: '模板到达诊断',
    carrier: '运营商',
    table: '各模板到达情况',
    template: '模板',
    sends: '发送成功',
    delivered: '到达',
    failed: '失败',
    rate: '到达率',
    codes: '主要错误码',
    allCarriers: '全部运营商',
    unregistered: '不在模板库中',
    noCode: '（无错误码）',
    alarm: '低于 90%',
    noData: '所选时间内没有带模板 ID 的发送。事件需带 template_id；换一个时间范围或运营商。',
    truncated: '只显示发送量最多的 {n} 个模板。',
  },
  en: {
    title: 'Delivery by template',
    carrier: 'Carrier',
    table: 'Delivery per template',
    template: 'Template',
    sends: 'Accepted sends',
    delivered: 'Delivered',
    failed: 'Failed',
    rate: 'Delivery rate',
    codes: 'Top error codes',
    allCarriers: 'All carriers',
    unregistered: 'not in the registry',
    noCode: '(no code)',
    alarm: 'below 90 %',
    noData: 'No sends naming a template in this range. Events carry template_id; pick another range or carrier.',
    truncated: 'Only the {n} templates with the most sends are shown.',
  },
};

/** The articles' delivery alarm level (DOMAIN.md): rates below it are marked. */
const ALARM_BELOW = 0.9;
const LIMIT = 100;

function Figures({ row, t, format }) {
  const low = row.delivery_rate !== null && row.delivery_rate < ALARM_BELOW;
  return html`<td class="num sends">${format.number(row.sends)}</td>
    <td class="num delivered">${format.number(row.delivered)}</td>
    <td class="num failed">${format.number(row.failed)}</td>
    <td class=${`num rate${low ? ' alarm' : ''}`} data-value=${row.delivery_rate ?? ''}>
      ${format.percent(row.delivery_rate)}${low && html` <span class="visually-hidden">${t('alarm')}</span>`}
    </td>
    <td class="codes">
      ${row.error_codes.map((c) => html`<span class="code" data-code=${c.code}>${c.code || t('noCode')} ${format.number(c.count)} (${format.percent(c.share)})</span> `)}
    </td>`;
}

export function TemplateDelivery() {
  const t = useText(TEXT);
  const format = useFormat();
  const dates = useDateRange(30);
  const [carrier, setCarrier] = useState('');
  const { data, error, loading, reload } = useApi(
    () => api('GET', '/delivery/by-template', { query: { ...dates.range, carrier, limit: LIMIT } }),
    [dates.range, carrier],
  );
  return html`
    <div class="page-head">
      <h2 class="page-title">${t('title')}</h2>
      <label
        >${t('carrier')} <${ValuePicker} column="carrier" name="carrier" range=${dates.range} value=${carrier} label=${t('carrier')} onChange=${setCarrier}
      /></label>
      <${DateRange} state=${dates} />
    </div>
    ${loading && html`<${Loading} />`} ${error && html`<${ErrorNote} error=${error} retry=${reload} />`}
    ${data && !data.templates.length && html`<${Empty}>${t('noData')}<//>`}
    ${
      data &&
      data.templates.length > 0 &&
      html`<section class="wide template-delivery" data-loaded=${loading ? 'false' : 'true'}>
        <h2>${t('table')}</h2>
        ${data.truncated && html`<p class="note">${t('truncated', { n: LIMIT })}</p>`}
        <table id="template-delivery">
          <thead>
            <tr>
              ${['template', 'carrier', 'sends', 'delivered', 'failed', 'rate', 'codes'].map((k) => html`<th scope="col">${t(k)}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${data.templates.map(
              (row) =>
                html`<tr class="template" data-template=${row.template_id}>
                    <th scope="row">
                      <span class="name">${row.name ?? row.template_id}</span>
                      ${row.name !== null && html` <small class="id">${row.template_id}</small>`}
                      ${!row.in_registry && html` <small class="unregistered">${t('unregistered')}</small>`}
                    </th>
                    <td>${t('allCarriers')}</td>
                    <${Figures} row=${row} t=${t} format=${format} />
                  </tr>
                  ${row.carriers.map(
                    (c) =>
                      html`<tr class="carrier" data-template=${row.template_id} data-carrier=${c.carrier}>
                        <td></td>
                        <td>${c.carrier}</td>
                        <${Figures} row=${c} t=${t} format=${format} />
                      </tr>`,
                  )}`,
            )}
          </tbody>
        </table>
      </section>`
    }
  `;
}
