// Admins set prices per billed part (PUT /v1/prices): a default and rules by channel, optionally by carrier. Each save
// is a new version that applies to messages sent from now on; earlier sends keep the price they were sent under.
import { html, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useText } from '../lib/i18n.js';
import { ErrorNote } from './states.js';

const TEXT = {
  'zh-CN': {
    title: '设置新价格',
    note: '保存后成为新版本，只适用于此后发送的消息；此前的发送仍按当时的价格计算。',
    defaultPrice: '默认单价（每计费条）',
    rule: '规则 {n}',
    channel: '规则 {n} 的通道',
    carrier: '规则 {n} 的运营商（留空为全部）',
    perPart: '规则 {n} 的单价',
    addRule: '添加规则',
    removeRule: '删除规则 {n}',
    save: '保存价格',
    saved: '价格已保存（版本 {version}）。',
  },
  en: {
    title: 'Set new prices',
    note: 'Saving makes a new version that applies to messages sent from now on; earlier sends keep the price they were sent under.',
    defaultPrice: 'Default price per billed part',
    rule: 'Rule {n}',
    channel: 'Rule {n} channel',
    carrier: 'Rule {n} carrier (empty: every carrier)',
    perPart: 'Rule {n} price per part',
    addRule: 'Add a rule',
    removeRule: 'Remove rule {n}',
    save: 'Save prices',
    saved: 'Prices saved (version {version}).',
  },
};

/** The form's rows (text, as inputs hold them) from the version in effect. */
const fieldsOf = (current) => ({
  default_per_part: current ? String(current.default_per_part) : '',
  rules: (current?.rules ?? []).map((r) => ({ channel: r.channel, carrier: r.carrier ?? '', per_part: String(r.per_part) })),
});

const bodyOf = (f) => ({
  default_per_part: Number(f.default_per_part),
  rules: f.rules.map((r) => ({ channel: r.channel, carrier: r.carrier.trim() || null, per_part: Number(r.per_part) })),
});

export function PriceEditor({ current, onSaved }) {
  const t = useText(TEXT);
  const [f, setF] = useState(() => fieldsOf(current));
  const [state, setState] = useState({ busy: false });
  const setRule = (i, patch) => setF({ ...f, rules: f.rules.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true });
    try {
      const saved = await api('PUT', '/prices', { body: bodyOf(f) });
      setState({ busy: false, saved: saved.version });
      onSaved(saved);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const amount = { type: 'number', min: 0, max: 1000, step: 'any', required: true };
  return html`<form class="price-editor" onSubmit=${submit} aria-label=${t('title')}>
    <h3>${t('title')}</h3>
    <p class="roi-note">${t('note')}</p>
    <label
      >${t('defaultPrice')}
      <input name="default-per-part" ...${amount} value=${f.default_per_part} onInput=${(e) => setF({ ...f, default_per_part: e.currentTarget.value })}
    /></label>
    <ol class="price-rules">
      ${f.rules.map((r, i) => {
        const n = i + 1;
        return html`<li>
          <span>${t('rule', { n })}</span>
          <input
            name=${`rule-${n}-channel`}
            aria-label=${t('channel', { n })}
            required
            maxlength="64"
            value=${r.channel}
            onInput=${(e) => setRule(i, { channel: e.currentTarget.value })}
          />
          <input
            name=${`rule-${n}-carrier`}
            aria-label=${t('carrier', { n })}
            maxlength="64"
            value=${r.carrier}
            onInput=${(e) => setRule(i, { carrier: e.currentTarget.value })}
          />
          <input
            name=${`rule-${n}-per-part`}
            aria-label=${t('perPart', { n })}
            ...${amount}
            value=${r.per_part}
            onInput=${(e) => setRule(i, { per_part: e.currentTarget.value })}
          />
          <button type="button" aria-label=${t('removeRule', { n })} onClick=${() => setF({ ...f, rules: f.rules.filter((_, j) => j !== i) })}>×</button>
        </li>`;
      })}
    </ol>
    <button type="button" class="add-rule" onClick=${() => setF({ ...f, rules: [...f.rules, { channel: '', carrier: '', per_part: '' }] })}>
      ${t('addRule')}
    </button>
    ${state.error && html`<${ErrorNote} error=${state.error} />`} ${state.saved && html`<p role="status">${t('saved', { version: state.saved })}</p>`}
    <button type="submit" class="primary" disabled=${state.busy}>${t('save')}</button>
  </form>`;
}
