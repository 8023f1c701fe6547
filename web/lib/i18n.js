// Languages: Chinese (the default) and English. Each page keeps its own texts beside its code ({'zh-CN': {...},
// en: {...}}); `useText` picks the current language's, falling back to Chinese. Numbers and dates are formatted
// for the language, dates in the workspace's time zone.
import { createContext, useContext } from './ui.js';

export const LOCALES = ['zh-CN', 'en'];

/** {locale, timezone, setLocale}: provided by the app from the workspace settings and the user's choice. */
export const LocaleContext = createContext({ locale: 'zh-CN', timezone: 'Asia/Shanghai', setLocale: () => {} });

/** The text function of a page's texts: t('key', {n: 3}) fills {n} in the current language's template. */
export function useText(texts) {
  const { locale } = useContext(LocaleContext);
  const table = texts[locale] || texts['zh-CN'];
  return (key, params) => {
    const template = table[key] ?? texts['zh-CN'][key] ?? key;
    if (typeof template !== 'string' || !params) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  };
}

/** Formatters for the current language and zone. */
export function useFormat() {
  const { locale, timezone } = useContext(LocaleContext);
  const number = new Intl.NumberFormat(locale);
  const percent = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 2 });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: timezone });
  return {
    number: (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : number.format(x)),
    percent: (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : percent.format(x)),
    dateTime: (iso) => (iso ? dateTime.format(new Date(iso)) : '–'),
    timezone,
  };
}

const CHOSEN = 'smsp.locale';
/** The language the user chose in this browser (not a secret), else none. */
export const chosenLocale = () => (LOCALES.includes(localStorage.getItem(CHOSEN)) ? localStorage.getItem(CHOSEN) : undefined);
export const rememberLocale = (locale) => localStorage.setItem(CHOSEN, locale);
