// One experiment (#/experiments/:id): start and stop it, allocate an audience snapshot to its variants, and read
// its results per metric: the verdict, the SRM warning, per-variant rates with p-values and the chance to beat the
// control, the uplift's CI as interval bars, CUPED and guardrail figures, and the sequential p-value over time.
import { html, useMemo, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useFormat, useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { Chart } from '../components/chart.js';
import { Empty, ErrorNote, Loading } from '../components/states.js';
import { sequentialOption, upliftIntervalsOption } from '../components/uplift-intervals.js';

const TEXT = {
  'zh-CN': {
    status: '状态',
    draft: '草稿',
    running: '进行中',
    stopped: '已停止',
    start: '开始实验',
    stop: '停止实验',
    metric: '指标',
    correction: '多重比较校正',
    conversion: '转化',
    click: '点击',
    delivery: '送达',
    revenue: '收入',
    verdict: '结论',
    srm: '样本比例失衡（SRM）：各组人数与配置的权重不符（p = {p}），结果不可信。请检查分配和曝光记录。',
    variant: '版本',
    n: '曝光人数',
    successes: '成功数',
    rate: '比率',
    mean: '人均收入',
    upliftAbs: '绝对提升',
    upliftRel: '相对提升',
    ci: '相对提升 95% 置信区间',
    pValue: 'p 值',
    pAdjusted: '校正后 p 值',
    sequential: '序贯 p 值',
    beat: '胜过对照组的概率',
    loss: '预期损失',
    note: '说明',
    control: '对照组',
    intervals: '相对提升及 95% 置信区间',
    sequentialTitle: '序贯 p 值（每日一次观察）',
    cupedTitle: 'CUPED 校正（实验前 {days} 天的同一指标作为协变量）',
    theta: 'θ',
    varianceReduction: '方差缩减',
    guardrailsTitle: '护栏指标',
    event: '事件',
    harm: '有害',
    yes: '是',
    no: '否',
    allocate: '分配人群',
    audience: '人群',
    version: '版本',
    chooseAudience: '请选择人群',
    allocateButton: '分配',
    allocated: '已分配人群 {audience} 第 {version} 版：曝光 {exposures} 人。',
    notMaterialized: '该人群还没有生成版本。请先在“人群”页面生成。',
    noSegments: '还没有人群。请先创建并生成一个人群。',
    startFirst: '开始实验后才能分配人群。',
    noExposures: '还没有曝光。开始实验并分配人群后，结果会显示在这里。',
    noLooks: '还没有足够的每日观察。',
  },
  en: {
    status: 'Status',
    draft: 'Draft',
    running: 'Running',
    stopped: 'Stopped',
    start: 'Start experiment',
    stop: 'Stop experiment',
    metric: 'Metric',
    correction: 'Multiple-comparison correction',
    conversion: 'Conversion',
    click: 'Click',
    delivery: 'Delivery',
    revenue: 'Revenue',
    verdict: 'Verdict',
    srm: 'Sample ratio mismatch: the variants did not split as configured (p = {p}), so these results cannot be trusted. Check the allocation and exposure logging.',
    variant: 'Variant',
    n: 'Exposed',
    successes: 'Successes',
    rate: 'Rate',
    mean: 'Revenue per recipient',
    upliftAbs: 'Uplift (absolute)',
    upliftRel: 'Uplift (relative)',
    ci: '95% CI of relative uplift',
    pValue: 'p-value',
    pAdjusted: 'Adjusted p-value',
    sequential: 'Sequential p-value',
    beat: 'Chance to beat control',
    loss: 'Expected loss',
    note: 'Note',
    control: 'control',
    intervals: 'Relative uplift with its 95% CI',
    sequentialTitle: 'Sequential p-value (one look a day)',
    cupedTitle: 'CUPED adjustment (the same metric over {days} days before exposure as covariate)',
    theta: 'θ',
    varianceReduction: 'Variance reduction',
    guardrailsTitle: 'Guardrails',
    event: 'Event',
    harm: 'Harm',
    yes: 'Yes',
    no: 'No',
    allocate: 'Allocate an audience',
    audience: 'Audience',
    version: 'Version',
    chooseAudience: 'Choose an audience',
    allocateButton: 'Allocate',
    allocated: 'Allocated audience {audience} version {version}: {exposures} recipients exposed.',
    notMaterialized: 'This audience has no snapshot yet. Materialize it on the Audiences page first.',
    noSegments: 'No audiences yet. Build and materialize an audience first.',
    startFirst: 'Start the experiment to allocate an audience.',
    noExposures: 'No exposures yet. Start the experiment and allocate an audience to see results.',
    noLooks: 'Not enough daily looks yet.',
  },
};

const ALPHA = 0.05;

/** p-values keep three significant digits; tiny ones are written with an exponent. */
function usePValue() {
  const { number } = useFormat();
  return (p) => {
    if (p === null || p === undefined) return '–';
    if (p !== 0 && p < 0.001) return p.toExponential(2);
    return number(Number(p.toPrecision(3)));
  };
}

/** A figure cell that carries the API's raw value beside the formatted one. */
const Cell = ({ field, value, text }) => html`<td data-field=${field} data-value=${value ?? ''}>${text}</td>`;

function StatusBar({ experiment, canChange, onChanged, t }) {
  const [error, setError] = useState();
  const act = (action) => async () => {
    setError(undefined);
    try {
      onChanged(await api('POST', `/experiments/${encodeURIComponent(experiment.id)}/${action}`));
    } catch (e) {
      setError(e);
    }
  };
  const { status } = experiment.spec;
  return html`<div class="page-head">
    <h2 class="page-title">${experiment.name}</h2>
    <span data-testid="experiment-status" data-status=${status}>${t('status')}: ${t(status)}</span>
    ${canChange && status === 'draft' && html`<button type="button" data-testid="start" onClick=${act('start')}>${t('start')}</button>`}
    ${canChange && status === 'running' && html`<button type="button" data-testid="stop" onClick=${act('stop')}>${t('stop')}</button>`}
    ${error && html`<${ErrorNote} error=${error} />`}
  </div>`;
}

function AudienceVersions({ audienceId, version, setVersion, t }) {
  const audience = useApi(
    () => api('GET', `/audiences/${encodeURIComponent(audienceId)}`).catch((e) => (e.status === 404 ? null : Promise.reject(e))),
    [audienceId],
  );
  if (audience.loading) return html`<${Loading} />`;
  if (audience.error) return html`<${ErrorNote} error=${audience.error} />`;
  if (!audience.data) return html`<${Empty}>${t('notMaterialized')}<//>`;
  const deleted = new Set(audience.data.deleted_versions ?? []);
  const versions = audience.data.versions.filter((v) => !deleted.has(v.version)).sort((a, b) => b.version - a.version);
  return html`<label
    >${t('version')}
    <select name="audience-version" value=${version ?? ''} onChange=${(e) => setVersion(Number(e.currentTarget.value))}>
      ${versions.map((v) => html`<option value=${v.version}>${`${v.version} · ${v.size}`}</option>`)}
    </select></label
  >`;
}

function AllocatePanel({ experiment, onAllocated, t }) {
  const segments = useApi(() => api('GET', '/segments', { query: { limit: 100 } }), []);
  const [audienceId, setAudienceId] = useState('');
  const [version, setVersion] = useState();
  const [state, setState] = useState({ busy: false });
  if (experiment.spec.status !== 'running') return html`<${Empty}>${t('startFirst')}<//>`;
  if (segments.loading) return html`<${Loading} />`;
  if (segments.error) return html`<${ErrorNote} error=${segments.error} retry=${segments.reload} />`;
  if (!segments.data.segments.length) return html`<${Empty}>${t('noSegments')}<//>`;
  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true });
    try {
      const body = { audience_id: audienceId, ...(version && { version }) };
      const answer = await api('POST', `/experiments/${encodeURIComponent(experiment.id)}/allocate`, { body });
      setState({ busy: false, answer });
      onAllocated();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`<form class="allocate" onSubmit=${submit} data-testid="allocate">
    <label
      >${t('audience')}
      <select
        name="audience"
        value=${audienceId}
        onChange=${(e) => {
          setAudienceId(e.currentTarget.value);
          setVersion(undefined);
        }}
      >
        <option value="">${t('chooseAudience')}</option>
        ${segments.data.segments.map((s) => html`<option value=${s.id}>${s.name}</option>`)}
      </select></label
    >
    ${audienceId && html`<${AudienceVersions} audienceId=${audienceId} version=${version} setVersion=${setVersion} t=${t} />`}
    <button type="submit" disabled=${!audienceId || state.busy}>${t('allocateButton')}</button>
    ${state.error && html`<${ErrorNote} error=${state.error} />`}
    ${
      state.answer &&
      html`<p role="status" data-testid="allocated">
        ${t('allocated', { audience: state.answer.audience_id, version: state.answer.audience_version, exposures: state.answer.exposures })}
      </p>`
    }
  </form>`;
}

function VariantTable({ results, t }) {
  const format = useFormat();
  const pValue = usePValue();
  const revenue = results.metric === 'revenue';
  const money = (x) => (x === null || x === undefined ? '–' : format.number(Number(x.toFixed(2))));
  const ci = (v) => (v.rel_ci_low === null ? '–' : `${format.percent(v.rel_ci_low)} … ${format.percent(v.rel_ci_high)}`);
  return html`<table id="variants">
    <thead>
      <tr>
        ${[
          'variant',
          'n',
          'successes',
          revenue ? 'mean' : 'rate',
          'upliftAbs',
          'upliftRel',
          'ci',
          'pValue',
          'pAdjusted',
          'sequential',
          'beat',
          'loss',
          'note',
        ].map((k) => html`<th scope="col">${t(k)}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${results.variants.map(
        (v, i) =>
          html`<tr data-variant=${v.key}>
            <th scope="row">${v.key}${i === 0 ? ` (${t('control')})` : ''}</th>
            <${Cell} field="n" value=${v.n} text=${format.number(v.n)} />
            <${Cell} field="successes" value=${v.successes} text=${format.number(v.successes)} />
            ${revenue ? html`<${Cell} field="mean" value=${v.mean} text=${money(v.mean)} />` : html`<${Cell} field="rate" value=${v.rate} text=${format.percent(v.rate)} />`}
            <${Cell} field="uplift_abs" value=${v.uplift_abs} text=${revenue ? money(v.uplift_abs) : format.percent(v.uplift_abs)} />
            <${Cell} field="uplift_rel" value=${v.uplift_rel} text=${format.percent(v.uplift_rel)} />
            <td>${ci(v)}</td>
            <${Cell} field="p_value" value=${v.p_value} text=${pValue(v.p_value)} />
            <${Cell} field="p_value_adjusted" value=${v.p_value_adjusted} text=${pValue(v.p_value_adjusted)} />
            <${Cell} field="sequential_p_value" value=${v.sequential_p_value} text=${pValue(v.sequential_p_value)} />
            <${Cell} field="prob_to_beat_control" value=${v.prob_to_beat_control} text=${format.percent(v.prob_to_beat_control)} />
            <${Cell} field="expected_loss" value=${v.expected_loss} text=${pValue(v.expected_loss)} />
            <td>${v.not_enough_information ?? ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function CupedTable({ results, t }) {
  const format = useFormat();
  const pValue = usePValue();
  const rows = results.variants.filter((v) => v.cuped);
  if (!rows.length) return null;
  return html`<section class="wide">
    <h2>${t('cupedTitle', { days: results.cuped_days })}</h2>
    <table id="cuped">
      <thead>
        <tr>
          ${['variant', 'theta', 'varianceReduction', 'upliftRel', 'ci', 'pValue'].map((k) => html`<th scope="col">${t(k)}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (v) =>
            html`<tr data-variant=${v.key}>
              <th scope="row">${v.key}</th>
              <td>${format.number(Number(v.cuped.theta.toPrecision(3)))}</td>
              <td>${format.percent(v.cuped.variance_reduction)}</td>
              <td>${format.percent(v.cuped.uplift_rel)}</td>
              <td>${v.cuped.rel_ci_low === null ? '–' : `${format.percent(v.cuped.rel_ci_low)} … ${format.percent(v.cuped.rel_ci_high)}`}</td>
              <${Cell} field="cuped_p_value" value=${v.cuped.p_value} text=${pValue(v.cuped.p_value)} />
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function GuardrailTable({ results, t }) {
  const format = useFormat();
  const pValue = usePValue();
  if (!results.guardrails.length) return null;
  return html`<section class="wide">
    <h2>${t('guardrailsTitle')}</h2>
    <table id="guardrails">
      <thead>
        <tr>
          ${['event', 'variant', 'rate', 'upliftAbs', 'pValue', 'harm'].map((k) => html`<th scope="col">${t(k)}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${results.guardrails.flatMap((g) =>
          g.variants.map(
            (v) =>
              html`<tr class=${v.harm_detected ? 'harm' : ''} data-event=${g.event_type} data-variant=${v.key}>
                <td>${g.event_type}</td>
                <td>${v.key}</td>
                <td>${format.percent(v.rate)}</td>
                <td>${format.percent(v.uplift_abs)}</td>
                <td>${pValue(v.p_value)}</td>
                <td>${v.harm_detected ? t('yes') : t('no')}</td>
              </tr>`,
          ),
        )}
      </tbody>
    </table>
  </section>`;
}

function ResultPanels({ results, t }) {
  const pValue = usePValue();
  const compared = results.variants.slice(1);
  const options = useMemo(
    () => ({
      intervals: upliftIntervalsOption(
        compared.filter((v) => v.rel_ci_low !== null).map((v) => ({ key: v.key, low: v.rel_ci_low, high: v.rel_ci_high, estimate: v.uplift_rel })),
      ),
      sequential: sequentialOption(
        compared.map((v) => ({ key: v.key, looks: v.sequential_looks })),
        ALPHA,
      ),
    }),
    [results],
  );
  const hasLooks = compared.some((v) => v.sequential_looks.length);
  return html`
    ${results.srm_detected && html`<p class="srm-warning" role="alert" data-testid="srm">${t('srm', { p: pValue(results.srm_p_value) })}</p>`}
    <section class="wide">
      <h2>${t('verdict')}</h2>
      <p data-testid="verdict">${results.verdict}</p>
      <${VariantTable} results=${results} t=${t} />
    </section>
    <section>
      <h2>${t('intervals')}</h2>
      <${Chart} id="uplift-intervals" option=${options.intervals} label=${t('intervals')} />
    </section>
    <section>
      <h2>${t('sequentialTitle')}</h2>
      ${hasLooks ? html`<${Chart} id="sequential" option=${options.sequential} label=${t('sequentialTitle')} />` : html`<${Empty}>${t('noLooks')}<//>`}
    </section>
    <${CupedTable} results=${results} t=${t} />
    <${GuardrailTable} results=${results} t=${t} />
  `;
}

function Results({ experiment, t }) {
  const [metric, setMetric] = useState(experiment.spec.metrics[0]);
  const [correction, setCorrection] = useState(experiment.spec.correction ?? 'holm');
  const results = useApi(
    () => api('GET', `/experiments/${encodeURIComponent(experiment.id)}/results`, { query: { metric, correction } }),
    [experiment.id, experiment.version, metric, correction],
  );
  const exposed = results.data?.variants.some((v) => v.n > 0);
  return html`
    <div class="page-head">
      <label
        >${t('metric')}
        <select name="metric" value=${metric} onChange=${(e) => setMetric(e.currentTarget.value)}>
          ${experiment.spec.metrics.map((m) => html`<option value=${m}>${t(m)}</option>`)}
        </select></label
      >
      <label
        >${t('correction')}
        <select name="correction" value=${correction} onChange=${(e) => setCorrection(e.currentTarget.value)}>
          <option value="holm">Holm</option>
          <option value="bh">Benjamini–Hochberg</option>
        </select></label
      >
    </div>
    ${results.loading && html`<${Loading} />`} ${results.error && html`<${ErrorNote} error=${results.error} retry=${results.reload} />`}
    ${results.data && !exposed && html`<${Empty}>${t('noExposures')}<//>`}
    ${results.data && exposed && html`<div class="grid" data-loaded="true" data-metric=${metric}><${ResultPanels} results=${results.data} t=${t} /></div>`}
  `;
}

export function ExperimentResults({ id, canChange }) {
  const t = useText(TEXT);
  const found = useApi(() => api('GET', `/experiments/${encodeURIComponent(id)}`), [id]);
  const [changed, setChanged] = useState();
  const experiment = changed?.id === id ? changed : found.data;
  // Allocation adds exposures: a new key reloads the results.
  const [allocations, setAllocations] = useState(0);
  if (found.loading && !experiment) return html`<${Loading} />`;
  if (found.error) return html`<${ErrorNote} error=${found.error} retry=${found.reload} />`;
  return html`
    <${StatusBar} experiment=${experiment} canChange=${canChange} onChanged=${setChanged} t=${t} />
    ${
      canChange &&
      html`<section class="wide allocate-panel">
        <h2>${t('allocate')}</h2>
        <${AllocatePanel} experiment=${experiment} onAllocated=${() => setAllocations(allocations + 1)} t=${t} />
      </section>`
    }
    <${Results} key=${`${experiment.spec.status}-${allocations}`} experiment=${experiment} t=${t} />
  `;
}
