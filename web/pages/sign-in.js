// Sign-in: the API key is typed once and exchanged for a session cookie; the page keeps no copy of it.
import { html, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useText } from '../lib/i18n.js';

const TEXT = {
  'zh-CN': {
    title: '登录',
    intro: '输入管理员发给您的 API 密钥。登录后密钥不会保存在浏览器中，会话 12 小时后过期。',
    key: 'API 密钥',
    signIn: '登录',
    signingIn: '登录中…',
    wrongKey: '密钥无效或已被吊销。',
  },
  en: {
    title: 'Sign in',
    intro: 'Type the API key your administrator gave you. The browser keeps no copy of it; the session ends after 12 hours.',
    key: 'API key',
    signIn: 'Sign in',
    signingIn: 'Signing in…',
    wrongKey: 'This key is not valid or has been revoked.',
  },
};

export function SignIn({ onSignedIn }) {
  const t = useText(TEXT);
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setProblem('');
    try {
      const session = await api('POST', '/sessions', { body: { key: key.trim() } });
      setKey('');
      await onSignedIn(session);
    } catch (err) {
      setProblem(err.status === 401 ? t('wrongKey') : err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <main id="main" class="sign-in">
      <form onSubmit=${submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">${t('title')}</h1>
        <p>${t('intro')}</p>
        <label for="api-key">${t('key')}</label>
        <input id="api-key" name="key" type="password" autocomplete="off" required value=${key} onInput=${(e) => setKey(e.currentTarget.value)} />
        <button type="submit" disabled=${busy || !key.trim()}>${busy ? t('signingIn') : t('signIn')}</button>
        ${problem && html`<p class="state error" role="alert">${problem}</p>`}
      </form>
    </main>
  `;
}
