// The analytics pages' date range: two day pickers (the last 30 days by default), days of the workspace's time zone,
// read as [midnight starting `from`, midnight ending `to`) in that zone.
import { html, useMemo, useState } from '../lib/ui.js';
import { useFormat, useText } from '../lib/i18n.js';
import { daysBefore, nextDay, zoneDay, zoneMidnight } from '../lib/zone-days.js';

const TEXT = {
  'zh-CN': { from: '开始日期', to: '结束日期' },
  en: { from: 'From', to: 'To' },
};

/** The days [fromDay, toDay] of `timeZone` as the API's {from, to} instants (to is exclusive: the midnight after toDay). */
const rangeOf = (fromDay, toDay, timeZone) => ({
  from: new Date(zoneMidnight(fromDay, timeZone)).toISOString(),
  to: new Date(zoneMidnight(nextDay(toDay), timeZone)).toISOString(),
});

/** The period of the same length just before `range`. */
export function previousRange(range) {
  const from = Date.parse(range.from);
  const length = Date.parse(range.to) - from;
  return { from: new Date(from - length).toISOString(), to: new Date(from).toISOString() };
}

/** {fromDay, toDay, range, setFromDay, setToDay}: the last `days` days up to today by default. */
export function useDateRange(days = 30) {
  const { timezone } = useFormat();
  const [toDay, setToDay] = useState(() => zoneDay(Date.now(), timezone));
  const [fromDay, setFromDay] = useState(() => daysBefore(toDay, days - 1));
  const range = useMemo(() => rangeOf(fromDay, toDay, timezone), [fromDay, toDay, timezone]);
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
