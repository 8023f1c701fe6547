// The frame of every page once signed in: the app's name, the pages the role may open, who is signed in (workspace
// and role), the language switch and sign-out.
import { html, useContext } from '../lib/ui.js';
import { LOCALES, LocaleContext, useText } from '../lib/i18n.js';

const TEXT = {
  'zh-CN': {
    app: '短信营销分析平台',
    workspace: '工作区',
    role: '角色',
    language: '语言',
    signOut: '退出登录',
    pages: '页面',
    admin: '管理员',
    analyst: '分析师',
    marketer: '营销',
    sender: '发送系统',
  },
  en: {
    app: 'SMS marketing analytics',
    workspace: 'Workspace',
    role: 'Role',
    language: 'Language',
    signOut: 'Sign out',
    pages: 'Pages',
    admin: 'Admin',
    analyst: 'Analyst',
    marketer: 'Marketer',
    sender: 'Sender',
  },
};
const LANGUAGE_NAMES = { 'zh-CN': '中文', en: 'English' };

export function Layout({ session, pages, route, onSignOut, children }) {
  const t = useText(TEXT);
  const { locale, setLocale } = useContext(LocaleContext);
  return html`
    <header class="top">
      <h1>${t('app')}</h1>
      <nav aria-label=${t('pages')}>
        ${pages.map((p) => html`<a href=${`#${p.path}`} aria-current=${route.startsWith(p.path) ? 'page' : undefined}>${p.label[locale] ?? p.label['zh-CN']}</a>`)}
      </nav>
      <span class="who" data-testid="who">${t('workspace')}: <strong>${session.workspace}</strong> · ${t('role')}: <strong>${t(session.role)}</strong></span>
      <label class="language"
        >${t('language')}
        <select value=${locale} onChange=${(e) => setLocale(e.currentTarget.value)}>
          ${LOCALES.map((l) => html`<option value=${l}>${LANGUAGE_NAMES[l]}</option>`)}
        </select>
      </label>
      <button type="button" onClick=${onSignOut}>${t('signOut')}</button>
    </header>
    <main id="main">${children}</main>
  `;
}
