// Creating an experiment (#/experiments/new): variants with weights, holdout, metrics, guardrails, the multiple-
// comparison correction, CUPED's pre-period, and the sample-size planner beside the form (refreshed as the inputs
// change). The first variant is the control.
import { html, useEffect, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { useFormat, useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { ErrorNote, Loading } from '../components/states.js';

const TEXT = {
  'zh-CN': {
    title: '新建实验',
    name: '实验名称',
    variants: '版本',
    key: '版本标识',
    weight: '权重',
    control: '（对照组）',
    addVariant: '添加版本',
    removeVariant: '删除版本 {key}',
    holdout: '保留组比例（%）',
    metrics: '指标（第一个为主指标）',
    guardrails: '护栏事件（比率不应上升）',
    correction: '多重比较校正',
    holm: 'Holm（默认）',
    bh: 'Benjamini–Hochberg',
    cuped: 'CUPED 预期天数（0 关闭）',
    attribution: '归因窗口（小时）',
    mde: '最小可检测提升（相对，%）',
    create: '创建实验',
    creating: '创建中…',
    planner: '样本量估算',
    baseline: '基线转化率（%）',
    alpha: '显著性水平 α',
    power: '检验功效',
    daily: '每日可触达人数',
    perArm: '每组所需人数',
    total: '总人数',
    days: '所需天数',
    alphaPerComparison: '每次比较的 α',
    planHint: '填写基线转化率和最小可检测提升即可估算。',
    conversion: '转化',
    click: '点击',
    delivery: '送达',
    revenue: '收入',
    send: '发送',
    unsubscribe: '退订',
    reply: '回复',
    complaint: '投诉',
  },
  en: {
    title: 'New experiment',
    name: 'Experiment name',
    variants: 'Variants',
    key: 'Variant key',
    weight: 'Weight',
    control: '(control)',
    addVariant: 'Add variant',
    removeVariant: 'Remove variant {key}',
    holdout: 'Holdout (%)',
    metrics: 'Metrics (the first is the primary)',
    guardrails: 'Guardrail events (their rate must not rise)',
    correction: 'Multiple-comparison correction',
    holm: 'Holm (default)',
    bh: 'Benjamini–Hochberg',
    cuped: 'CUPED pre-period days (0 turns it off)',
    attribution: 'Attribution window (hours)',
    mde: 'Minimum detectable effect (relative, %)',
    create: 'Create experiment',
    creating: 'Creating…',
    planner: 'Sample size planner',
    baseline: 'Baseline rate (%)',
    alpha: 'Significance level α',
    power: 'Power',
    daily: 'Recipients per day',
    perArm: 'Recipients per arm',
    total: 'Recipients in total',
    days: 'Days needed',
    alphaPerComparison: 'α per comparison',
    planHint: 'Enter a baseline rate and a minimum detectable effect to plan.',
    conversion: 'Conversion',
    click: 'Click',
    delivery: 'Delivery',
    revenue: 'Revenue',
    send: 'Send',
    unsubscribe: 'Unsubscribe',
    reply: 'Reply',
    complaint: 'Complaint',
  },
};

const METRICS = ['conversion', 'click', 'delivery', 'revenue'];
const GUARDRAIL_EVENTS = ['send', 'delivery', 'click', 'conversion', 'unsubscribe', 'reply', 'complaint'];

/** `value` once it has stopped changing for `ms` (the planner is asked once typing pauses). */
function useSettled(value, ms) {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [JSON.stringify(value)]);
  return settled;
}

/** Toggles `item` in `list`, keeping the order items were chosen in (the first metric is the primary). */
const toggled = (list, item) => (list.includes(item) ? list.filter((x) => x !== item) : [...list, item]);

/** A number from an input, or undefined when empty. */
const numberOf = (text) => (text === '' || text === undefined ? undefined : Number(text));

function Planner({ arms, mdePercent, t }) {
  const format = useFormat();
  const [inputs, setInputs] = useState({ baseline: '5', alpha: '0.05', power: '0.8', daily: '' });
  const set = (name) => (e) => setInputs({ ...inputs, [name]: e.currentTarget.value });
  const request = useSettled({ ...inputs, arms, mdePercent }, 300);
  const ready = numberOf(request.baseline) > 0 && numberOf(request.mdePercent) > 0;
  const plan = useApi(
    () =>
      ready
        ? api('POST', '/experiments/plan', {
            body: {
              baseline_rate: numberOf(request.baseline) / 100,
              mde_rel: numberOf(request.mdePercent) / 100,
              alpha: numberOf(request.alpha),
              power: numberOf(request.power),
              variants: request.arms,
              daily_volume: numberOf(request.daily),
            },
          })
        : Promise.resolve(null),
    [JSON.stringify(request)],
  );
  const figure = (name, value) =>
    html`<div>
      <dt>${t(name)}</dt>
      <dd data-field=${name}>${value}</dd>
    </div>`;
  return html`<section class="experiment-planner" aria-labelledby="planner-title">
    <h2 id="planner-title">${t('planner')}</h2>
    <label>${t('baseline')} <input type="number" min="0" max="100" step="any" value=${inputs.baseline} onInput=${set('baseline')} /></label>
    <label>${t('alpha')} <input type="number" min="0" max="0.5" step="any" value=${inputs.alpha} onInput=${set('alpha')} /></label>
    <label>${t('power')} <input type="number" min="0.5" max="0.99" step="any" value=${inputs.power} onInput=${set('power')} /></label>
    <label>${t('daily')} <input type="number" min="1" step="1" value=${inputs.daily} onInput=${set('daily')} /></label>
    ${plan.error && html`<${ErrorNote} error=${plan.error} />`} ${!ready && html`<p class="state empty">${t('planHint')}</p>`}
    ${
      plan.data &&
      html`<dl class="figures" data-testid="plan">
        ${figure('perArm', format.number(plan.data.recipients_per_arm))} ${figure('total', format.number(plan.data.recipients_total))}
        ${figure('alphaPerComparison', format.number(plan.data.alpha_per_comparison))}
        ${plan.data.days !== undefined && figure('days', format.number(plan.data.days))}
      </dl>`
    }
  </section>`;
}

function VariantRows({ variants, setVariants, t }) {
  const change = (i, field) => (e) => setVariants(variants.map((v, j) => (j === i ? { ...v, [field]: e.currentTarget.value } : v)));
  return html`<fieldset>
    <legend>${t('variants')}</legend>
    ${variants.map(
      (v, i) =>
        html`<div class="variant-row">
          <label>${t('key')} <input name=${`variant-key-${i}`} required pattern="[A-Za-z0-9_\\-]{1,64}" value=${v.key} onInput=${change(i, 'key')} /></label>
          <label
            >${t('weight')} <input name=${`variant-weight-${i}`} type="number" min="0.001" step="any" required value=${v.weight} onInput=${change(i, 'weight')}
          /></label>
          ${i === 0 && html`<span>${t('control')}</span>`}
          ${
            i > 1 &&
            html`<button type="button" aria-label=${t('removeVariant', { key: v.key })} onClick=${() => setVariants(variants.filter((_, j) => j !== i))}>
              ×
            </button>`
          }
        </div>`,
    )}
    ${
      variants.length < 20 &&
      html`<button type="button" onClick=${() => setVariants([...variants, { key: `v${variants.length}`, weight: '1' }])}>${t('addVariant')}</button>`
    }
  </fieldset>`;
}

function Choices({ legend, options, chosen, setChosen, t, name }) {
  return html`<fieldset>
    <legend>${legend}</legend>
    ${options.map(
      (o) =>
        html`<label class="inline"
          ><input type="checkbox" name=${name} value=${o} checked=${chosen.includes(o)} onChange=${() => setChosen(toggled(chosen, o))} /> ${t(o)}</label
        >`,
    )}
  </fieldset>`;
}

export function NewExperiment() {
  const t = useText(TEXT);
  const [name, setName] = useState('');
  const [variants, setVariants] = useState([
    { key: 'control', weight: '1' },
    { key: 'treatment', weight: '1' },
  ]);
  const [metrics, setMetrics] = useState(['conversion']);
  const [guardrails, setGuardrails] = useState([]);
  const [options, setOptions] = useState({ holdout: '0', correction: 'holm', cuped: '14', attribution: '72', mde: '10' });
  const [state, setState] = useState({ busy: false, error: undefined });
  const set = (field) => (e) => setOptions({ ...options, [field]: e.currentTarget.value });

  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: undefined });
    try {
      const created = await api('POST', '/experiments', {
        body: {
          name,
          variants: variants.map((v) => ({ key: v.key, weight: Number(v.weight) })),
          holdout: Number(options.holdout) / 100,
          metrics,
          guardrails,
          correction: options.correction,
          cuped_days: Number(options.cuped),
          attribution_hours: Number(options.attribution),
          mde_rel: Number(options.mde) / 100,
        },
      });
      navigate(`/experiments/${encodeURIComponent(created.id)}`);
    } catch (error) {
      setState({ busy: false, error });
    }
  };

  return html`
    <div class="page-head"><h2 class="page-title">${t('title')}</h2></div>
    <div class="experiment-new">
      <form class="experiment-form" onSubmit=${submit} data-testid="experiment-form">
        <label>${t('name')} <input name="name" required maxlength="200" value=${name} onInput=${(e) => setName(e.currentTarget.value)} /></label>
        <${VariantRows} variants=${variants} setVariants=${setVariants} t=${t} />
        <label>${t('holdout')} <input name="holdout" type="number" min="0" max="99" step="any" value=${options.holdout} onInput=${set('holdout')} /></label>
        <${Choices} legend=${t('metrics')} name="metric" options=${METRICS} chosen=${metrics} setChosen=${setMetrics} t=${t} />
        <${Choices} legend=${t('guardrails')} name="guardrail" options=${GUARDRAIL_EVENTS} chosen=${guardrails} setChosen=${setGuardrails} t=${t} />
        <label
          >${t('correction')}
          <select name="correction" value=${options.correction} onChange=${set('correction')}>
            <option value="holm">${t('holm')}</option>
            <option value="bh">${t('bh')}</option>
          </select></label
        >
        <label>${t('cuped')} <input name="cuped_days" type="number" min="0" max="90" step="1" value=${options.cuped} onInput=${set('cuped')} /></label>
        <label
          >${t('attribution')}
          <input name="attribution_hours" type="number" min="1" max="1440" step="1" value=${options.attribution} onInput=${set('attribution')}
        /></label>
        <label>${t('mde')} <input name="mde" type="number" min="0.1" max="1000" step="any" value=${options.mde} onInput=${set('mde')} /></label>
        ${state.error && html`<${ErrorNote} error=${state.error} />`}
        <button type="submit" disabled=${state.busy || !metrics.length}>${state.busy ? t('creating') : t('create')}</button>
        ${state.busy && html`<${Loading} />`}
      </form>
      <${Planner} arms=${variants.length} mdePercent=${options.mde} t=${t} />
    </div>
  `;
}
