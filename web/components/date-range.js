// The analytics pages' date range: two day pickers (the last 30 days by default), read as [from 00:00Z, to + 1 day).
import { html, useMemo, useState } from '../lib/ui.js';
import { useText } from '../lib/i18n.js';

const TEXT = {
  'zh-CN': { from: '开始日期', to: '结束日期' },
  en: { from: 'From', to: 'To' },
};

const DAY = 86_400_000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** The range [fromDay, toDay] as the API's {from, to} instants (to is exclusive: the day after toDay). */
export const rangeOf = (fromDay, toDay) => ({
  from: `${fromDay}T00:00:00Z`,
  to: new Date(Date.parse(`${toDay}T00:00:00Z`) + DAY).toISOString(),
});

/** The period of the same length just before `range`. */
export function previousRange(range) {
  const from = Date.parse(range.from);
  const length = Date.parse(range.to) - from;
  return { from: new Date(from - length).toISOString(), to: new Date(from).toISOString() };
}

/** {fromDay, toDay, range, setFromDay, setToDay}: the last `days` days up to today by default. */
export function useDateRange(days = 30) {
  const [fromDay, setFromDay] = useState(() => isoDay(Date.now() - (days - 1) * DAY));
  const [toDay, setToDay] = useState(() => isoDay(Date.now()));
  const range = useMemo(() => rangeOf(fromDay, toDay), [fromDay, toDay]);
  return { fromDay, toDay, range, setFromDay, setToDay };
}

/** The two labelled day pickers of a `useDateRange` state. */
export function DateRange({ state }) {
  const t = useText(TEXT);
  const picked = (set) => (e) => e.currentTarget.value && set(e.currentTarget.value);
  return html`
    <label>${t('from')} <input type="date" name="from" value=${state.fromDay} max=${state.toDay} onChange=${picked(state.setFromDay)} /></label>
    <label>${t('to')} <input type="date" name="to" value=${state.toDay} min=${state.fromDay} onChange=${picked(state.setToDay)} /></label>
  `;
}
