// A destructive action asked twice, inline (no browser dialog): the first press shows the question with
// confirm and cancel; only the confirm runs `onConfirm`.
import { html, useState } from '../lib/ui.js';
import { useText } from '../lib/i18n.js';

const TEXT = {
  'zh-CN': { confirm: '确认', cancel: '取消' },
  en: { confirm: 'Confirm', cancel: 'Cancel' },
};

export function ConfirmButton({ label, question, onConfirm, disabled }) {
  const t = useText(TEXT);
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return html`<button type="button" class="danger" disabled=${disabled} onClick=${() => setAsking(true)}>${label}</button>`;
  }
  return html`<span class="confirm" role="group" aria-label=${question}
    >${question} <button type="button" class="danger" onClick=${() => (setAsking(false), onConfirm())}>${t('confirm')}</button>
    <button type="button" onClick=${() => setAsking(false)}>${t('cancel')}</button></span
  >`;
}
