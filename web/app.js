// The app: checks the session, then shows the page the hash names among those the role may open. The language is
// the user's choice in this browser, else the workspace's; dates are in the workspace's zone.
import { html, useEffect, useMemo, useState } from './lib/ui.js';
import { api, setApiLanguage, whenSignedOut } from './lib/api.js';
import { chosenLocale, LocaleContext, rememberLocale } from './lib/i18n.js';
import { matchRoute, navigate, useRoute } from './lib/router.js';
import { Layout } from './components/layout.js';
import { ErrorNote, Loading } from './components/states.js';
import { pagesFor } from './pages/index.js';
import { SignIn } from './pages/sign-in.js';

/** The page registered for `route`, with its parameters, or undefined. */
function pageAt(pages, route) {
  for (const page of pages) {
    for (const pattern of [page.path, ...(page.subpaths ?? [])]) {
      const params = matchRoute(pattern, route);
      if (params) return { page, params };
    }
  }
  return undefined;
}

export function App() {
  // undefined while checking, null when signed out.
  const [session, setSession] = useState(undefined);
  const [settings, setSettings] = useState({ locale: chosenLocale() ?? 'zh-CN', timezone: 'Asia/Shanghai' });
  const route = useRoute();

  setApiLanguage(settings.locale);
  useEffect(() => {
    document.documentElement.lang = settings.locale;
  }, [settings.locale]);

  const signedIn = async (who) => {
    const workspace = await api('GET', '/workspace');
    setSettings({ locale: chosenLocale() ?? workspace.locale, timezone: workspace.timezone });
    setSession(who);
  };
  useEffect(() => {
    whenSignedOut(() => setSession(null));
    api('GET', '/session').then(signedIn, () => setSession(null));
  }, []);

  const signOut = async () => {
    await api('DELETE', '/session').catch(() => undefined);
    setSession(null);
  };
  const context = useMemo(
    () => ({
      ...settings,
      setLocale: (locale) => {
        rememberLocale(locale);
        setSettings((s) => ({ ...s, locale }));
      },
    }),
    [settings],
  );

  let body;
  if (session === undefined) body = html`<${Loading} />`;
  else if (session === null) body = html`<${SignIn} onSignedIn=${signedIn} />`;
  else {
    const pages = pagesFor(session.role);
    const found = pageAt(pages, route);
    if (!found && pages[0]) navigate(pages[0].path);
    const view = found ? html`<${found.page.view} session=${session} params=${found.params} />` : html`<${ErrorNote} error=${{ status: 403 }} />`;
    body = html`<${Layout} session=${session} pages=${pages} route=${route} onSignOut=${signOut}>${view}<//>`;
  }
  return html`<${LocaleContext.Provider} value=${context}>${body}<//>`;
}
