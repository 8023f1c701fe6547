// Durations (seconds to convert) in the largest unit that keeps them readable, in the current language.
import { useFormat, useText } from '../lib/i18n.js';

const TEXT = {
  'zh-CN': { s: '{n} 秒', min: '{n} 分钟', h: '{n} 小时', d: '{n} 天' },
  en: { s: '{n} s', min: '{n} min', h: '{n} h', d: '{n} d' },
};

const UNITS = [
  ['d', 86_400],
  ['h', 3600],
  ['min', 60],
];

/** A function of seconds (or null) to text such as "2.5 h". */
export function useDuration() {
  const t = useText(TEXT);
  const format = useFormat();
  return (seconds) => {
    if (seconds === null || seconds === undefined) return '–';
    const [unit, size] = UNITS.find(([, size]) => Math.abs(seconds) >= size) ?? ['s', 1];
    return t(unit, { n: format.number(Number((seconds / size).toFixed(1))) });
  };
}
