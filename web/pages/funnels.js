// The funnel page: the analyst picks steps (event types, each with an optional filter), the conversion window, the
// order mode, exclusions, a breakdown and its attribution (POST /v1/funnels, PostHog's semantics); the answer is
// drawn as bars per step (per breakdown value) with a table of counts, conversions and times to convert, and the
// time-to-convert histogram.
import { html, useMemo, useState } from '../lib/ui.js';
import { api, useFormat, useText, useApi, Chart, TOOLTIP, Empty, ErrorNote, Loading, DateRange, useDateRange } from './analytics-kit.js';
import { BREAKDOWN_COLUMNS, FILTER_COLUMNS, ValuePicker, useColumnName } from '../components/event-value-picker.js';
import { useDuration } from '../components/duration.js';

const TEXT = {
  'zh-CN': {
    title: '转化漏斗',
    steps: '步骤',
    step: '步骤 {n}',
    stepEvent: '步骤 {n} 的事件',
    stepFilter: '步骤 {n} 的筛选字段',
    stepValue: '步骤 {n} 的筛选值',
    noFilter: '不筛选',
    addStep: '添加步骤',
    removeStep: '删除步骤 {n}',
    window: '转化窗口',
    windowValue: '窗口长度',
    windowUnit: '窗口单位',
    minute: '分钟',
    hour: '小时',
    day: '天',
    order: '顺序',
    ordered: '按顺序（中间可有其他事件）',
    strict: '严格顺序（中间不能有其他事件）',
    unordered: '任意顺序',
    unit: '计数单位',
    user: '用户',
    message: '消息',
    exclusions: '排除',
    exclusion: '排除 {n}',
    exclusionEvent: '排除 {n} 的事件',
    exclusionFrom: '排除 {n} 自步骤',
    exclusionTo: '排除 {n} 至步骤',
    addExclusion: '添加排除',
    removeExclusion: '删除排除 {n}',
    breakdown: '细分维度',
    noBreakdown: '不细分',
    attribution: '细分归因',
    first_touch: '首次触达（第一步事件的值）',
    stepAttribution: '逐步（每一步都须带该值）',
    run: '计算漏斗',
    intro: '选择步骤、窗口和细分，然后点击“计算漏斗”。',
    noUnits: '所选时间内没有用户进入第一步。换一个时间范围或第一步事件再试。',
    chart: '各步骤人数',
    table: '各步骤转化',
    group: '分组',
    overall: '全部',
    event: '事件',
    count: '人数',
    fromPrevious: '较上一步转化率',
    fromFirst: '较第一步转化率',
    average: '平均转化时间',
    median: '转化时间中位数',
    timeToConvert: '完成漏斗用时分布（从第一步到最后一步）',
    bin: '用时区间',
    units: '数量',
    sampled: '用时来自确定性抽样（人数未抽样）。',
    noTimes: '无序漏斗不计算转化时间。',
    send: '发送',
    delivery: '送达',
    click: '点击',
    conversion: '转化',
    unsubscribe: '退订',
    reply: '回复',
    complaint: '投诉',
    exposure: '实验曝光',
  },
  en: {
    title: 'Funnels',
    steps: 'Steps',
    step: 'Step {n}',
    stepEvent: 'Step {n} event',
    stepFilter: 'Step {n} filter field',
    stepValue: 'Step {n} filter value',
    noFilter: 'No filter',
    addStep: 'Add a step',
    removeStep: 'Remove step {n}',
    window: 'Conversion window',
    windowValue: 'Window length',
    windowUnit: 'Window unit',
    minute: 'minutes',
    hour: 'hours',
    day: 'days',
    order: 'Order',
    ordered: 'In order (other events may come between)',
    strict: 'Strict order (nothing in between)',
    unordered: 'Any order',
    unit: 'Count',
    user: 'Users',
    message: 'Messages',
    exclusions: 'Exclusions',
    exclusion: 'Exclusion {n}',
    exclusionEvent: 'Exclusion {n} event',
    exclusionFrom: 'Exclusion {n} from step',
    exclusionTo: 'Exclusion {n} to step',
    addExclusion: 'Add an exclusion',
    removeExclusion: 'Remove exclusion {n}',
    breakdown: 'Breakdown',
    noBreakdown: 'No breakdown',
    attribution: 'Breakdown attribution',
    first_touch: 'First touch (the first step’s value)',
    stepAttribution: 'Each step (every step carries the value)',
    run: 'Show funnel',
    intro: 'Pick the steps, the window and a breakdown, then press “Show funnel”.',
    noUnits: 'Nobody entered the first step in this range. Try another range or first step.',
    chart: 'Units per step',
    table: 'Conversion per step',
    group: 'Group',
    overall: 'All',
    event: 'Event',
    count: 'Count',
    fromPrevious: 'From previous step',
    fromFirst: 'From first step',
    average: 'Average time to convert',
    median: 'Median time to convert',
    timeToConvert: 'Time to complete the funnel (first to last step)',
    bin: 'Time',
    units: 'Units',
    sampled: 'Times come from a deterministic sample (counts are exact).',
    noTimes: 'Unordered funnels have no times to convert.',
    send: 'Send',
    delivery: 'Delivery',
    click: 'Click',
    conversion: 'Conversion',
    unsubscribe: 'Unsubscribe',
    reply: 'Reply',
    complaint: 'Complaint',
    exposure: 'Exposure',
  },
};

const EVENT_TYPES = ['send', 'delivery', 'click', 'conversion', 'unsubscribe', 'reply', 'complaint', 'exposure'];
const MAX_STEPS = 8;

/** The API request the builder's state describes. */
function funnelRequest(b, range) {
  return {
    steps: b.steps.map((s) => (s.prop && s.value ? { type: s.type, where: [{ prop: s.prop, op: 'eq', value: s.value }] } : s.type)),
    window: { value: Number(b.windowValue), unit: b.windowUnit },
    ...range,
    unit: b.unit,
    order: b.order,
    ...(b.exclusions.length && { exclusions: b.exclusions.map((x) => ({ type: x.type, from_step: Number(x.from), to_step: Number(x.to) })) }),
    ...(b.breakdown && { breakdown: b.breakdown, breakdown_attribution: b.attribution }),
  };
}

const INITIAL = {
  steps: [
    { type: 'send', prop: '', value: '' },
    { type: 'click', prop: '', value: '' },
    { type: 'conversion', prop: '', value: '' },
  ],
  windowValue: 3,
  windowUnit: 'day',
  order: 'ordered',
  unit: 'user',
  exclusions: [],
  breakdown: '',
  attribution: 'first_touch',
};

/** A labelled <select> of `options` ([value, text] pairs). */
const Select = ({ label, name, value, options, onChange }) =>
  html`<select name=${name} aria-label=${label} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
    ${options.map(([v, text]) => html`<option value=${v}>${text}</option>`)}
  </select>`;

function StepRow({ step, index, count, range, t, columnName, change, remove }) {
  const n = index + 1;
  return html`<li class="funnel-step">
    <span class="step-number">${t('step', { n })}</span>
    <${Select}
      label=${t('stepEvent', { n })}
      name=${`step-${n}-type`}
      value=${step.type}
      options=${EVENT_TYPES.map((e) => [e, t(e)])}
      onChange=${(type) => change({ type })}
    />
    <${Select}
      label=${t('stepFilter', { n })}
      name=${`step-${n}-prop`}
      value=${step.prop}
      options=${[['', t('noFilter')], ...FILTER_COLUMNS.map((c) => [c, columnName(c)])]}
      onChange=${(prop) => change({ prop, value: '' })}
    />
    ${
      step.prop &&
      html`<${ValuePicker}
        column=${step.prop}
        range=${range}
        name=${`step-${n}-value`}
        label=${t('stepValue', { n })}
        value=${step.value}
        onChange=${(value) => change({ value })}
      />`
    }
    ${count > 2 && html`<button type="button" aria-label=${t('removeStep', { n })} onClick=${remove}>×</button>`}
  </li>`;
}

function ExclusionRow({ exclusion, index, stepCount, t, change, remove }) {
  const n = index + 1;
  const stepOptions = [...Array(stepCount).keys()].map((i) => [String(i + 1), t('step', { n: i + 1 })]);
  return html`<li class="funnel-exclusion">
    <${Select}
      label=${t('exclusionEvent', { n })}
      name=${`exclusion-${n}-type`}
      value=${exclusion.type}
      options=${EVENT_TYPES.map((e) => [e, t(e)])}
      onChange=${(type) => change({ type })}
    />
    <${Select}
      label=${t('exclusionFrom', { n })}
      name=${`exclusion-${n}-from`}
      value=${exclusion.from}
      options=${stepOptions}
      onChange=${(from) => change({ from })}
    />
    <${Select} label=${t('exclusionTo', { n })} name=${`exclusion-${n}-to`} value=${exclusion.to} options=${stepOptions} onChange=${(to) => change({ to })} />
    <button type="button" aria-label=${t('removeExclusion', { n })} onClick=${remove}>×</button>
  </li>`;
}

/** The builder form; `onRun` gets the API request. */
function Builder({ range, dates, onRun, t }) {
  const columnName = useColumnName();
  const [b, setB] = useState(INITIAL);
  const set = (patch) => setB((old) => ({ ...old, ...patch }));
  const setStep = (i, patch) => set({ steps: b.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  const setExclusion = (i, patch) => set({ exclusions: b.exclusions.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
  const submit = (e) => {
    e.preventDefault();
    onRun(funnelRequest(b, range));
  };
  return html`<form class="funnel-builder" onSubmit=${submit}>
    <div class="page-head"><${DateRange} state=${dates} /></div>
    <fieldset>
      <legend>${t('steps')}</legend>
      <ol class="funnel-steps">
        ${b.steps.map(
          (step, i) =>
            html`<${StepRow}
              step=${step}
              index=${i}
              count=${b.steps.length}
              range=${range}
              t=${t}
              columnName=${columnName}
              change=${(patch) => setStep(i, patch)}
              remove=${() => set({ steps: b.steps.filter((_, j) => j !== i) })}
            />`,
        )}
      </ol>
      ${
        b.steps.length < MAX_STEPS &&
        html`<button type="button" class="add-step" onClick=${() => set({ steps: [...b.steps, { type: 'conversion', prop: '', value: '' }] })}>
          ${t('addStep')}
        </button>`
      }
    </fieldset>
    <fieldset class="funnel-options">
      <legend>${t('window')}</legend>
      <label
        >${t('windowValue')}
        <input type="number" name="window-value" min="1" required value=${b.windowValue} onInput=${(e) => set({ windowValue: e.currentTarget.value })}
      /></label>
      <${Select}
        label=${t('windowUnit')}
        name="window-unit"
        value=${b.windowUnit}
        options=${['minute', 'hour', 'day'].map((u) => [u, t(u)])}
        onChange=${(windowUnit) => set({ windowUnit })}
      />
      <label
        >${t('order')}
        <${Select}
          label=${t('order')}
          name="order"
          value=${b.order}
          options=${['ordered', 'strict', 'unordered'].map((o) => [o, t(o)])}
          onChange=${(order) => set({ order })}
      /></label>
      <label
        >${t('unit')}
        <${Select} label=${t('unit')} name="unit" value=${b.unit} options=${['user', 'message'].map((u) => [u, t(u)])} onChange=${(unit) => set({ unit })}
      /></label>
    </fieldset>
    <fieldset>
      <legend>${t('exclusions')}</legend>
      <ol class="funnel-exclusions">
        ${b.exclusions.map(
          (x, i) =>
            html`<${ExclusionRow}
              exclusion=${x}
              index=${i}
              stepCount=${b.steps.length}
              t=${t}
              change=${(patch) => setExclusion(i, patch)}
              remove=${() => set({ exclusions: b.exclusions.filter((_, j) => j !== i) })}
            />`,
        )}
      </ol>
      <button
        type="button"
        class="add-exclusion"
        onClick=${() => set({ exclusions: [...b.exclusions, { type: 'unsubscribe', from: '1', to: String(b.steps.length) }] })}
      >
        ${t('addExclusion')}
      </button>
    </fieldset>
    <fieldset class="funnel-options">
      <legend>${t('breakdown')}</legend>
      <${Select}
        label=${t('breakdown')}
        name="breakdown"
        value=${b.breakdown}
        options=${[['', t('noBreakdown')], ...BREAKDOWN_COLUMNS.map((c) => [c, columnName(c)])]}
        onChange=${(breakdown) => set({ breakdown })}
      />
      ${
        b.breakdown &&
        html`<${Select}
          label=${t('attribution')}
          name="attribution"
          value=${b.attribution}
          options=${[
            ['first_touch', t('first_touch')],
            ['step', t('stepAttribution')],
          ]}
          onChange=${(attribution) => set({ attribution })}
        />`
      }
    </fieldset>
    <button type="submit" class="primary">${t('run')}</button>
  </form>`;
}

/** Rows of the result: the overall funnel, then each breakdown value's. */
const groupsOf = (result, t) => [{ value: t('overall'), overall: true, steps: result.steps }, ...(result.breakdowns ?? [])];

function Result({ result, t }) {
  const format = useFormat();
  const duration = useDuration();
  const groups = groupsOf(result, t);
  const stepNames = result.steps.map((s, i) => `${i + 1}. ${t(s.type)}`);
  const options = useMemo(
    () => ({
      bars: {
        tooltip: { ...TOOLTIP, trigger: 'axis' },
        legend: { data: groups.map((g) => g.value), type: 'scroll' },
        xAxis: { type: 'category', data: stepNames },
        yAxis: { type: 'value' },
        series: groups.map((g) => ({ name: g.value, type: 'bar', data: g.steps.map((s) => s.count) })),
      },
      histogram: {
        tooltip: TOOLTIP,
        xAxis: { type: 'category', data: result.time_to_convert.map((b) => duration(b.from_seconds)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [{ type: 'bar', data: result.time_to_convert.map((b) => b.count) }],
      },
    }),
    [result, t('send')],
  );
  if (!result.steps[0]?.count) return html`<${Empty}>${t('noUnits')}<//>`;
  return html`
    <section class="wide">
      <h2>${t('chart')}</h2>
      <${Chart} id="funnel-chart" option=${options.bars} label=${t('chart')} />
    </section>
    <section class="wide">
      <h2>${t('table')}</h2>
      <table id="funnel-table">
        <thead>
          <tr>
            <th scope="col">${t('group')}</th>
            <th scope="col">${t('event')}</th>
            <th scope="col">${t('count')}</th>
            <th scope="col">${t('fromPrevious')}</th>
            <th scope="col">${t('fromFirst')}</th>
            <th scope="col">${t('average')}</th>
            <th scope="col">${t('median')}</th>
          </tr>
        </thead>
        <tbody>
          ${groups.flatMap((g) =>
            g.steps.map(
              (s, i) =>
                html`<tr data-group=${g.overall ? '' : g.value} data-step=${i + 1}>
                  <td>${i === 0 ? g.value : ''}</td>
                  <td>${stepNames[i]}</td>
                  <td class="count">${format.number(s.count)}</td>
                  <td class="from-previous">${i === 0 ? '' : format.percent(s.conversion_from_previous)}</td>
                  <td class="from-first">${i === 0 ? '' : format.percent(s.conversion_from_first)}</td>
                  <td class="average">${i === 0 ? '' : duration(s.average_seconds_from_previous)}</td>
                  <td class="median">${i === 0 ? '' : duration(s.median_seconds_from_previous)}</td>
                </tr>`,
            ),
          )}
        </tbody>
      </table>
    </section>
    <section class="wide">
      <h2>${t('timeToConvert')}</h2>
      ${
        result.order === 'unordered'
          ? html`<${Empty}>${t('noTimes')}<//>`
          : html`<${Chart} id="time-to-convert-chart" option=${options.histogram} label=${t('timeToConvert')} />
              <table id="time-to-convert">
                <thead>
                  <tr>
                    <th scope="col">${t('bin')}</th>
                    <th scope="col">${t('units')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${result.time_to_convert.map(
                    (b) =>
                      html`<tr>
                        <td>${duration(b.from_seconds)} – ${duration(b.to_seconds)}</td>
                        <td class="count">${format.number(b.count)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
              ${result.times_sampled && html`<p class="note">${t('sampled')}</p>`}`
      }
    </section>
  `;
}

export function Funnels() {
  const t = useText(TEXT);
  const dates = useDateRange(30);
  const [request, setRequest] = useState(null);
  const { data, error, loading, reload } = useApi(() => (request ? api('POST', '/funnels', { body: request }) : Promise.resolve(null)), [request]);
  return html`
    <div class="page-head"><h2 class="page-title">${t('title')}</h2></div>
    <${Builder} range=${dates.range} dates=${dates} onRun=${setRequest} t=${t} />
    ${!request && html`<${Empty}>${t('intro')}<//>`} ${request && loading && html`<${Loading} />`}
    ${error && html`<${ErrorNote} error=${error} retry=${reload} />`}
    ${data && html`<div class="grid funnel-result" data-loaded=${loading ? 'false' : 'true'}><${Result} result=${data} t=${t} /></div>`}
  `;
}
