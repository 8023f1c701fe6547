// Pickers of event column values (campaign, template, channel, carrier, region, variant) fed from the data
// (GET /v1/events/values over the page's range), and the filters they make ({prop, op: 'eq', value} clauses).
// Values are stored text: they are option labels (text nodes), never markup.
import { html } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';

const TEXT = {
  'zh-CN': {
    campaign_id: '活动',
    template_id: '模板',
    channel: '通道',
    carrier: '运营商',
    region: '地区',
    variant: '实验分组',
    any: '全部',
    filters: '筛选',
  },
  en: {
    campaign_id: 'Campaign',
    template_id: 'Template',
    channel: 'Channel',
    carrier: 'Carrier',
    region: 'Region',
    variant: 'Variant',
    any: 'All',
    filters: 'Filters',
  },
};

/** The columns the dashboard and the metric explorer filter on. */
export const FILTER_COLUMNS = ['campaign_id', 'template_id', 'channel', 'carrier', 'region'];
/** Every column a funnel or a metric may be broken down by (the API's catalogue). */
export const BREAKDOWN_COLUMNS = [...FILTER_COLUMNS, 'variant'];

/** The name of a column in the current language. */
export function useColumnName() {
  const t = useText(TEXT);
  return (column) => t(column);
}

/** {carrier: 'China Mobile', ...} as the API's filter clauses (empty choices left out). */
export const filterClauses = (chosen) =>
  Object.entries(chosen)
    .filter(([, value]) => value)
    .map(([prop, value]) => ({ prop, op: 'eq', value }));

/** A select of the values `column` takes in `range` (most frequent first); '' means any value. */
export function ValuePicker({ column, range, value, onChange, label, name }) {
  const t = useText(TEXT);
  const { data } = useApi(() => api('GET', '/events/values', { query: { column, ...range, limit: 100 } }), [column, range.from, range.to]);
  const values = (data?.values ?? []).map((v) => v.value);
  // A chosen value outside this range's list stays chosen (and visible).
  if (value && !values.includes(value)) values.unshift(value);
  return html`<select name=${name ?? column} aria-label=${label ?? t(column)} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
    <option value="">${t('any')}</option>
    ${values.map((v) => html`<option value=${v}>${v}</option>`)}
  </select>`;
}

/** One labelled picker per filter column; `chosen` is {column: value}. */
export function EventFilters({ range, chosen, onChange }) {
  const t = useText(TEXT);
  return html`<fieldset class="event-filters">
    <legend>${t('filters')}</legend>
    ${FILTER_COLUMNS.map(
      (column) =>
        html`<label
          >${t(column)}
          <${ValuePicker}
            column=${column}
            range=${range}
            value=${chosen[column] ?? ''}
            label=${t(column)}
            onChange=${(value) => onChange({ ...chosen, [column]: value })}
        /></label>`,
    )}
  </fieldset>`;
}
