// Loading, error and empty states, in the user's language: every view shows one of them before its data.
import { html } from '../lib/ui.js';
import { useText } from '../lib/i18n.js';

const TEXT = {
  'zh-CN': { loading: '加载中…', failed: '出错了：', retry: '重试', forbidden: '当前角色无权查看此内容。' },
  en: { loading: 'Loading…', failed: 'Something went wrong: ', retry: 'Retry', forbidden: 'Your role may not see this.' },
};

export function Loading() {
  const t = useText(TEXT);
  return html`<p class="state" role="status">${t('loading')}</p>`;
}

/** An API error as one line (its message comes in the user's language), with a retry when one is given. */
export function ErrorNote({ error, retry }) {
  const t = useText(TEXT);
  const message = error?.status === 403 ? t('forbidden') : `${t('failed')}${error?.message ?? String(error)}`;
  return html`<p class="state error" role="alert">${message} ${retry && html`<button type="button" onClick=${retry}>${t('retry')}</button>`}</p>`;
}

/** What to do next when there is nothing to show yet. */
export function Empty({ children }) {
  return html`<p class="state empty">${children}</p>`;
}
