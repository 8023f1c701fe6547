// The alert rule editor: threshold or anomaly, interval, breakdown, volume, cooldown and webhook. Saving a new rule
// POSTs it, an existing one PUTs a new version (its event filters are kept as they are). A webhook's signing secret
// is shown once, when the API answers with one.
import { html, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useText } from '../lib/i18n.js';
import { ErrorNote } from './states.js';

const TEXT = {
  'zh-CN': {
    newRule: '新建告警规则',
    editRule: '编辑告警规则',
    name: '名称',
    metric: '指标',
    kind: '类型',
    threshold: '阈值',
    anomaly: '异常检测',
    template_delivery_drop: '模板到达率下降',
    baselineDays: '基线天数（触发前的天数）',
    maxDrop: '相对下降（比率，如 0.1）',
    interval: '粒度',
    hour: '小时',
    day: '天',
    week: '周',
    breakdown: '拆分',
    none: '不拆分',
    below: '低于（比率，如 0.9）',
    atOrAbove: '不低于（比率）',
    sensitivity: '灵敏度（MAD 倍数）',
    weeks: '对比周数',
    minVolume: '最小样本量',
    cooldown: '冷却时间（小时）',
    webhook: 'Webhook 地址（https://）',
    enabled: '启用',
    save: '保存规则',
    cancel: '取消',
    secret: '新的 Webhook 签名密钥（只显示这一次，请保存）：',
    saved: '规则已保存。',
  },
  en: {
    newRule: 'New alert rule',
    editRule: 'Edit alert rule',
    name: 'Name',
    metric: 'Metric',
    kind: 'Kind',
    threshold: 'Threshold',
    anomaly: 'Anomaly',
    template_delivery_drop: 'Template delivery drop',
    baselineDays: 'Baseline days (before the bucket)',
    maxDrop: 'Relative drop (a rate, e.g. 0.1)',
    interval: 'Interval',
    hour: 'Hour',
    day: 'Day',
    week: 'Week',
    breakdown: 'Breakdown',
    none: 'None',
    below: 'Below (a rate, e.g. 0.9)',
    atOrAbove: 'At or above (a rate)',
    sensitivity: 'Sensitivity (MADs)',
    weeks: 'Weeks compared',
    minVolume: 'Minimum volume',
    cooldown: 'Cooldown (hours)',
    webhook: 'Webhook URL (https://)',
    enabled: 'Enabled',
    save: 'Save rule',
    cancel: 'Cancel',
    secret: 'New webhook signing secret (shown this once; keep it):',
    saved: 'Rule saved.',
  },
};

const METRICS = ['send_success_rate', 'delivery_rate', 'click_rate', 'conversion_rate', 'complaint_rate', 'unsubscribe_rate', 'revenue'];
const BREAKDOWNS = ['campaign_id', 'template_id', 'channel', 'carrier', 'region', 'variant'];

/** The form's fields (all text, as inputs hold them) from a stored rule, or a new rule's defaults. */
function fieldsOf(rule) {
  const s = rule?.spec ?? {};
  const text = (x, fallback) => (x === undefined || x === null ? fallback : String(x));
  return {
    name: rule?.name ?? '',
    metric: s.metric ?? 'delivery_rate',
    kind: s.kind ?? 'threshold',
    interval: s.interval ?? 'hour',
    breakdown: s.breakdown ?? '',
    below: text(s.threshold?.below, ''),
    at_or_above: text(s.threshold?.at_or_above, ''),
    sensitivity: text(s.sensitivity, '3'),
    weeks: text(s.weeks, '4'),
    baseline_days: text(s.baseline_days, '7'),
    max_drop: text(s.max_drop, '0.1'),
    min_volume: text(s.min_volume, '100'),
    cooldown_hours: text(s.cooldown_hours, '6'),
    webhook_url: s.webhook_url ?? '',
    enabled: s.enabled ?? true,
  };
}

/** The API body from the form's fields; empty optional fields are left out. */
function bodyOf(f, rule) {
  const number = (x) => (x === '' ? undefined : Number(x));
  const threshold = f.kind === 'threshold' ? { below: number(f.below), at_or_above: number(f.at_or_above) } : undefined;
  // A template rule is always per template (the API sets the breakdown) and has its own baseline settings.
  const perTemplate = f.kind === 'template_delivery_drop';
  return {
    name: f.name,
    metric: f.metric,
    kind: f.kind,
    interval: f.interval,
    ...(f.breakdown && !perTemplate && { breakdown: f.breakdown }),
    ...(perTemplate && { baseline_days: number(f.baseline_days), max_drop: number(f.max_drop) }),
    ...(rule?.spec.filters && { filters: rule.spec.filters }),
    ...(threshold && { threshold }),
    min_volume: number(f.min_volume),
    sensitivity: number(f.sensitivity),
    weeks: number(f.weeks),
    cooldown_hours: number(f.cooldown_hours),
    ...(f.webhook_url && { webhook_url: f.webhook_url }),
    enabled: f.enabled,
  };
}

const Choice = ({ label, name, value, options, onChange }) =>
  html`<label
    >${label}
    <select name=${name} value=${value} onChange=${onChange}>
      ${options.map(([v, text]) => html`<option value=${v}>${text}</option>`)}
    </select></label
  >`;

export function RuleEditor({ rule, onSaved, onClose }) {
  const t = useText(TEXT);
  const [f, setF] = useState(() => fieldsOf(rule));
  const [state, setState] = useState({ busy: false });
  const set = (name) => (e) => setF({ ...f, [name]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  const field = (name, label, type = 'number', extra = {}) =>
    html`<label>${label} <input name=${name} type=${type} value=${f[name]} onInput=${set(name)} ...${extra} /></label>`;
  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true });
    try {
      const body = bodyOf(f, rule);
      const saved = rule ? await api('PUT', `/alert-rules/${encodeURIComponent(rule.id)}`, { body }) : await api('POST', '/alert-rules', { body });
      setState({ busy: false, secret: saved.webhook_secret, saved: true });
      onSaved(saved);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`<form class="rule-editor" onSubmit=${submit} data-testid="rule-editor" aria-label=${rule ? t('editRule') : t('newRule')}>
    <h3>${rule ? t('editRule') : t('newRule')}</h3>
    ${field('name', t('name'), 'text', { required: true, maxlength: 200 })}
    <${Choice} label=${t('metric')} name="metric" value=${f.metric} onChange=${set('metric')} options=${METRICS.map((m) => [m, m])} />
    <${Choice}
      label=${t('kind')}
      name="kind"
      value=${f.kind}
      onChange=${set('kind')}
      options=${[
        ['threshold', t('threshold')],
        ['anomaly', t('anomaly')],
        ['template_delivery_drop', t('template_delivery_drop')],
      ]}
    />
    <${Choice}
      label=${t('interval')}
      name="interval"
      value=${f.interval}
      onChange=${set('interval')}
      options=${['hour', 'day', 'week'].map((i) => [i, t(i)])}
    />
    <${Choice}
      label=${t('breakdown')}
      name="breakdown"
      value=${f.breakdown}
      onChange=${set('breakdown')}
      options=${[['', t('none')], ...BREAKDOWNS.map((b) => [b, b])]}
    />
    ${
      f.kind === 'threshold'
        ? html`${field('below', t('below'), 'number', { step: 'any' })} ${field('at_or_above', t('atOrAbove'), 'number', { step: 'any' })}`
        : f.kind === 'anomaly'
          ? html`${field('sensitivity', t('sensitivity'), 'number', { step: 'any', min: 0.1, max: 20 })}
            ${field('weeks', t('weeks'), 'number', { min: 2, max: 26 })}`
          : html`${field('baseline_days', t('baselineDays'), 'number', { min: 1, max: 30 })}
            ${field('max_drop', t('maxDrop'), 'number', { step: 'any', min: 0.01, max: 0.99 })}`
    }
    ${field('min_volume', t('minVolume'), 'number', { min: 1 })} ${field('cooldown_hours', t('cooldown'), 'number', { min: 0, max: 720 })}
    ${field('webhook_url', t('webhook'), 'url')}
    <label class="inline"><input name="enabled" type="checkbox" checked=${f.enabled} onChange=${set('enabled')} /> ${t('enabled')}</label>
    ${state.error && html`<${ErrorNote} error=${state.error} />`} ${state.saved && html`<p role="status">${t('saved')}</p>`}
    ${state.secret && html`<p class="secret" role="status">${t('secret')} <code>${state.secret}</code></p>`}
    <div class="actions">
      <button type="submit" disabled=${state.busy}>${t('save')}</button>
      <button type="button" onClick=${onClose}>${t('cancel')}</button>
    </div>
  </form>`;
}
