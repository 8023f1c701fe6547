// One comparison of a rule (an attribute leaf, or a behaviour leaf's event filter): the operator, and the value
// editor that fits it and the compared field's kind (date pickers, number ranges, lists, pickers fed from data).
import { html } from '../lib/ui.js';
import { useText } from '../lib/i18n.js';
import { listText, parseList } from './rule-model.js';

const TEXT = {
  'zh-CN': {
    op: '比较方式',
    value: '值',
    low: '最小值',
    high: '最大值',
    days: '天数',
    list: '多个值（用逗号分隔）',
    present: '有值',
    absent: '无值',
    ops: {
      eq: '等于',
      neq: '不等于',
      in: '属于',
      not_in: '不属于',
      contains: '包含',
      exists: '是否有值',
      gt: '大于',
      gte: '大于等于',
      lt: '小于',
      lte: '小于等于',
      between: '介于',
      within_days: '最近 N 天内',
      is_today: '是今天（同月同日）',
    },
  },
  en: {
    op: 'Comparison',
    value: 'Value',
    low: 'From',
    high: 'To',
    days: 'Days',
    list: 'Values (comma separated)',
    present: 'has a value',
    absent: 'has no value',
    ops: {
      eq: 'equals',
      neq: 'is not',
      in: 'is one of',
      not_in: 'is none of',
      contains: 'contains',
      exists: 'has a value?',
      gt: 'greater than',
      gte: 'at least',
      lt: 'less than',
      lte: 'at most',
      between: 'between',
      within_days: 'within the last N days',
      is_today: 'is today (month and day)',
    },
  },
};

/** The value a comparison starts with when its operator changes to `op`. */
function valueForOp(op, previous) {
  if (op === 'exists' || op === 'is_today') return undefined;
  if (op === 'within_days') return 30;
  if (op === 'in' || op === 'not_in') return Array.isArray(previous) ? previous : previous === undefined || previous === '' ? [] : [previous];
  if (op === 'between') return Array.isArray(previous) && previous.length === 2 ? previous : ['', ''];
  return Array.isArray(previous) || typeof previous === 'boolean' || previous === undefined ? '' : previous;
}

/** `{op, value}` without a value key when there is none (the DSL's spelling). */
export const comparisonParts = (op, value) => (value === undefined ? { op } : { op, value });

/**
 * Operator and value. `kind` is string|number|date|datetime; `numericOps` makes text compare as numbers for
 * gt/gte/lt/lte/between (free attributes and event properties); `list` names a datalist of suggested values.
 */
export function Comparison({ op, value, ops, kind, numericOps, list, label, onChange }) {
  const t = useText(TEXT);
  const opNames = t('ops');
  const numeric = kind === 'number' || (numericOps && ['gt', 'gte', 'lt', 'lte', 'between'].includes(op));
  const inputType = numeric ? 'number' : kind === 'date' || kind === 'datetime' ? 'date' : 'text';
  const read = (text) => (numeric && text !== '' ? Number(text) : text);
  const set = (v) => onChange(comparisonParts(op, v));
  let editor = null;
  if (op === 'exists')
    editor = html`<select
      aria-label=${`${label} ${t('value')}`}
      value=${value === false ? 'false' : 'true'}
      onChange=${(e) => set(e.currentTarget.value === 'true')}
    >
      <option value="true">${t('present')}</option>
      <option value="false">${t('absent')}</option>
    </select>`;
  else if (op === 'within_days')
    editor = html`<input
      type="number"
      min="0"
      max="36500"
      class="short"
      aria-label=${`${label} ${t('days')}`}
      value=${value ?? ''}
      onInput=${(e) => set(read(e.currentTarget.value) === '' ? '' : Number(e.currentTarget.value))}
    />`;
  else if (op === 'in' || op === 'not_in')
    editor = html`<input
      type="text"
      aria-label=${`${label} ${t('list')}`}
      placeholder=${t('list')}
      value=${listText(value)}
      onChange=${(e) => set(parseList(e.currentTarget.value, kind === 'number'))}
    />`;
  else if (op === 'between') {
    const pair = Array.isArray(value) ? value : ['', ''];
    editor = html`<input
        type=${inputType}
        class="short"
        aria-label=${`${label} ${t('low')}`}
        value=${pair[0]}
        onInput=${(e) => set([read(e.currentTarget.value), pair[1]])}
      />
      –
      <input
        type=${inputType}
        class="short"
        aria-label=${`${label} ${t('high')}`}
        value=${pair[1]}
        onInput=${(e) => set([pair[0], read(e.currentTarget.value)])}
      />`;
  } else if (op !== 'is_today')
    editor = html`<input
      type=${inputType}
      list=${inputType === 'text' ? list : undefined}
      aria-label=${`${label} ${t('value')}`}
      value=${value ?? ''}
      onInput=${(e) => set(read(e.currentTarget.value))}
    />`;
  return html`<select
      aria-label=${`${label} ${t('op')}`}
      value=${op}
      onChange=${(e) => onChange(comparisonParts(e.currentTarget.value, valueForOp(e.currentTarget.value, value)))}
    >
      ${ops.map((o) => html`<option value=${o}>${opNames[o] ?? o}</option>`)}
    </select>
    ${editor}`;
}
