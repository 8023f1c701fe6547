// SQL: an analyst's own queries over the workspace's snapshot (POST /v1/sql), the result as a table or a plain SVG
// line or bar chart, and saved queries (versioned, with their chart) to load, change, save, delete and pin to the
// dashboard. '#/sql/<id>' opens a saved query (the dashboard's tiles link here).
import { html, useEffect, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { MAX_POINTS, SqlChart } from '../components/sql-chart.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { Empty, ErrorNote, Loading } from '../components/states.js';
import { useFormat, useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';

const TEXT = {
  'zh-CN': {
    title: 'SQL 查询',
    intro: '用 SQL 查询本工作区的数据快照（DuckDB 语法）。可用的表：events、contacts、tags、suppressions、audience_members、rfm_scores、cluster_assignments。',
    snapshot: '数据截至 {time}',
    noSnapshot: '还没有快照：第一次查询时会自动生成。',
    rows: '{table}：{n} 行',
    refresh: '刷新快照',
    refreshing: '正在刷新…',
    query: 'SQL 语句',
    run: '运行',
    running: '运行中…',
    resultRows: '{n} 行',
    truncated: '结果超过上限，只显示前 {n} 行：请加 LIMIT 或先聚合。',
    noRows: '查询没有返回任何行。换个条件再试。',
    errorAt: '（第 {line} 行，第 {column} 列）',
    chart: '图表',
    chartType: '图表类型',
    table: '表格',
    line: '折线图',
    bar: '柱状图',
    x: '横轴列',
    y: '数值列',
    chartLabel: '查询结果图表',
    firstPoints: '图表只画前 {n} 行。',
    saved: '已保存的查询',
    noSaved: '还没有保存的查询：写好查询后填写名称并保存。',
    name: '名称',
    save: '保存',
    saveNew: '另存为新查询',
    savedOk: '已保存（版本 {version}）',
    open: '打开',
    remove: '删除',
    removeQuestion: '删除这个查询？',
    version: '版本 {version}',
    newQuery: '新查询',
    pinned: '显示在数据看板',
    onDashboard: '看板',
  },
  en: {
    title: 'SQL',
    intro:
      "Query this workspace's data snapshot with SQL (DuckDB dialect). Tables: events, contacts, tags, suppressions, audience_members, rfm_scores, cluster_assignments.",
    snapshot: 'Data as of {time}',
    noSnapshot: 'No snapshot yet: the first query takes one.',
    rows: '{table}: {n} rows',
    refresh: 'Refresh snapshot',
    refreshing: 'Refreshing…',
    query: 'SQL statement',
    run: 'Run',
    running: 'Running…',
    resultRows: '{n} rows',
    truncated: 'More rows matched than the limit; showing the first {n}: add LIMIT or aggregate first.',
    noRows: 'The query returned no rows. Try other conditions.',
    errorAt: ' (line {line}, column {column})',
    chart: 'Chart',
    chartType: 'Chart type',
    table: 'Table',
    line: 'Line',
    bar: 'Bar',
    x: 'Axis column',
    y: 'Value columns',
    chartLabel: 'Chart of the query result',
    firstPoints: 'The chart draws the first {n} rows.',
    saved: 'Saved queries',
    noSaved: 'No saved queries yet: write a query, give it a name and save it.',
    name: 'Name',
    save: 'Save',
    saveNew: 'Save as a new query',
    savedOk: 'Saved (version {version})',
    open: 'Open',
    remove: 'Delete',
    removeQuestion: 'Delete this query?',
    version: 'version {version}',
    newQuery: 'New query',
    pinned: 'Show on the dashboard',
    onDashboard: 'on the dashboard',
  },
};

const EXAMPLE = 'SELECT type, count(*) AS events\nFROM events\nGROUP BY type\nORDER BY events DESC';
const CHART_TYPES = ['table', 'line', 'bar'];
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

/** Line and column (from 1) of a UTF-16 index in `text`. */
function lineAndColumn(text, position) {
  const before = text.slice(0, position).split('\n');
  return { line: before.length, column: before.at(-1).length + 1 };
}

/** When the data was read; `ran` changes after each query (which may have refreshed a stale snapshot). */
function SnapshotBar({ t, ran }) {
  const format = useFormat();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(undefined);
  const { data, error, reload } = useApi(() => api('GET', '/sql/snapshot'), [ran]);
  const refresh = async () => {
    setBusy(true);
    setFailure(undefined);
    await api('POST', '/sql/snapshot').then(reload, setFailure);
    setBusy(false);
  };
  return html`<div class="sql-snapshot" id="sql-snapshot">
    ${error && html`<${ErrorNote} error=${error} retry=${reload} />`}
    ${data && html`<span>${data.taken_at ? t('snapshot', { time: format.dateTime(data.taken_at) }) : t('noSnapshot')}</span>`}
    ${data?.tables.map((table) => html`<span class="note" data-table=${table.name}>${t('rows', { table: table.name, n: format.number(table.rows) })}</span>`)}
    <button type="button" disabled=${busy} onClick=${refresh}>${busy ? t('refreshing') : t('refresh')}</button>
    ${failure && html`<${ErrorNote} error=${failure} />`}
  </div>`;
}

export function ResultTable({ result, id = 'sql-result' }) {
  const format = useFormat();
  const cell = (value) =>
    typeof value === 'number' ? format.number(value) : value === null ? '∅' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return html`<div class="sql-table-wrap">
    <table id=${id}>
      <thead>
        <tr>
          ${result.columns.map((c) => html`<th scope="col" title=${c.type}>${c.name}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${result.rows.map(
          (row) =>
            html`<tr>
              ${row.map((v) => html`<td class=${typeof v === 'number' ? 'number' : undefined}>${cell(v)}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function ChartControls({ chart, result, onChange, t }) {
  const numeric = result.columns.filter((c) => NUMERIC.test(c.type)).map((c) => c.name);
  return html`<fieldset class="sql-chart-controls">
    <legend>${t('chart')}</legend>
    <label
      >${t('chartType')}
      <select name="chart-type" value=${chart.type} onChange=${(e) => onChange({ ...chart, type: e.currentTarget.value })}>
        ${CHART_TYPES.map((type) => html`<option value=${type}>${t(type)}</option>`)}
      </select></label
    >
    ${
      chart.type !== 'table' &&
      html`<label
          >${t('x')}
          <select name="chart-x" value=${chart.x ?? ''} onChange=${(e) => onChange({ ...chart, x: e.currentTarget.value })}>
            ${result.columns.map((c) => html`<option value=${c.name}>${c.name}</option>`)}
          </select></label
        >
        <span class="sql-y" role="group" aria-label=${t('y')}
          >${t('y')}:
          ${numeric.map(
            (name) =>
              html`<label class="inline"
                ><input
                  type="checkbox"
                  name="chart-y"
                  value=${name}
                  checked=${chart.y.includes(name)}
                  onChange=${(e) => onChange({ ...chart, y: e.currentTarget.checked ? [...chart.y, name] : chart.y.filter((n) => n !== name) })}
                />
                ${name}</label
              >`,
          )}</span
        >`
    }
  </fieldset>`;
}

/** A chart spec that fits the result: a missing axis column becomes the first column, missing series the numeric ones. */
function fitChart(chart, result) {
  const names = result.columns.map((c) => c.name);
  const numeric = result.columns.filter((c) => NUMERIC.test(c.type)).map((c) => c.name);
  const x = names.includes(chart.x) ? chart.x : names[0];
  const y = chart.y.filter((n) => numeric.includes(n));
  return { ...chart, x, y: y.length ? y : numeric.filter((n) => n !== x).slice(0, 3) };
}

function SavedList({ list, current, onOpen, onDeleted, t }) {
  const format = useFormat();
  if (list.loading) return html`<${Loading} />`;
  if (list.error) return html`<${ErrorNote} error=${list.error} retry=${list.reload} />`;
  const queries = list.data?.queries ?? [];
  if (queries.length === 0) return html`<${Empty}>${t('noSaved')}<//>`;
  return html`<ul class="sql-saved" id="sql-saved" data-loaded="true">
    ${queries.map(
      (q) =>
        html`<li data-id=${q.id} class=${q.id === current ? 'current' : undefined}>
          <button type="button" class="link" aria-label=${`${t('open')}: ${q.name}`} onClick=${() => onOpen(q)}>${q.name}</button>
          <span class="note">${t('version', { version: format.number(q.version) })} · ${t(q.spec.chart.type)}${q.spec.pinned && ` · ${t('onDashboard')}`}</span>
          <${ConfirmButton}
            label=${t('remove')}
            question=${t('removeQuestion')}
            onConfirm=${() => api('DELETE', `/sql/queries/${encodeURIComponent(q.id)}`).then(onDeleted, onDeleted)}
          />
        </li>`,
    )}
  </ul>`;
}

export function SqlPage({ params }) {
  const t = useText(TEXT);
  const format = useFormat();
  const [query, setQuery] = useState(EXAMPLE);
  const [name, setName] = useState('');
  const [savedId, setSavedId] = useState(undefined);
  const [chart, setChart] = useState({ type: 'table', x: null, y: [] });
  const [pinned, setPinned] = useState(false);
  const [run, setRun] = useState({ busy: false });
  const [saveState, setSaveState] = useState({});
  const list = useApi(() => api('GET', '/sql/queries', { query: { limit: 100 } }), []);

  const execute = async (text = query) => {
    setRun({ busy: true });
    try {
      const result = await api('POST', '/sql', { body: { query: text } });
      setRun({ busy: false, result, text });
      setChart((c) => fitChart(c, result));
    } catch (error) {
      setRun({ busy: false, error, text });
    }
  };
  const open = (q) => {
    setQuery(q.spec.query);
    setName(q.name);
    setSavedId(q.id);
    setChart(q.spec.chart);
    setPinned(q.spec.pinned);
    setSaveState({});
    void execute(q.spec.query);
  };
  const save = async (asNew) => {
    const body = { name, query, chart: chart.type === 'table' ? { type: 'table' } : chart, pinned };
    try {
      const saved = asNew || !savedId ? await api('POST', '/sql/queries', { body }) : await api('PUT', `/sql/queries/${encodeURIComponent(savedId)}`, { body });
      setSavedId(saved.id);
      setSaveState({ saved });
      list.reload();
    } catch (error) {
      setSaveState({ error });
    }
  };
  // '#/sql/<id>': open that saved query once (a missing one shows its 404 where a run's error goes).
  const linked = params?.id;
  useEffect(() => {
    if (linked) api('GET', `/sql/queries/${encodeURIComponent(linked)}`).then(open, (error) => setRun({ busy: false, error, text: '' }));
  }, [linked]);
  const position = run.error?.position;
  const where = typeof position === 'number' ? t('errorAt', lineAndColumn(run.text, position)) : '';
  const result = run.result;

  return html`<div class="page-head">
      <h2 class="page-title">${t('title')}</h2>
      <${SnapshotBar} t=${t} ran=${run.result} />
    </div>
    <div class="sql-layout">
      <section class="sql-side">
        <h3>${t('saved')}</h3>
        <button
          type="button"
          onClick=${() => {
            setSavedId(undefined);
            setName('');
            setPinned(false);
            setQuery(EXAMPLE);
          }}
        >
          ${t('newQuery')}
        </button>
        <${SavedList}
          list=${list}
          current=${savedId}
          onOpen=${open}
          onDeleted=${() => {
            setSavedId(undefined);
            list.reload();
          }}
          t=${t}
        />
      </section>
      <section class="sql-main">
        <p class="note">${t('intro')}</p>
        <form
          onSubmit=${(e) => {
            e.preventDefault();
            void execute();
          }}
        >
          <label for="sql-query">${t('query')}</label>
          <textarea id="sql-query" name="query" rows="8" spellcheck="false" value=${query} onInput=${(e) => setQuery(e.currentTarget.value)}></textarea>
          <div class="sql-actions">
            <button type="submit" class="primary" id="sql-run" disabled=${run.busy}>${run.busy ? t('running') : t('run')}</button>
            <label>${t('name')} <input name="query-name" value=${name} maxlength="200" onInput=${(e) => setName(e.currentTarget.value)} /></label>
            <label class="inline"
              ><input type="checkbox" name="pinned" checked=${pinned} onChange=${(e) => setPinned(e.currentTarget.checked)} /> ${t('pinned')}</label
            >
            <button type="button" id="sql-save" disabled=${!name.trim() || !query.trim()} onClick=${() => save(false)}>${t('save')}</button>
            ${savedId && html`<button type="button" id="sql-save-new" disabled=${!name.trim()} onClick=${() => save(true)}>${t('saveNew')}</button>`}
            ${saveState.saved && html`<span class="state saved" role="status">${t('savedOk', { version: format.number(saveState.saved.version) })}</span>`}
            ${saveState.error && html`<${ErrorNote} error=${saveState.error} />`}
          </div>
        </form>
        ${run.busy && html`<${Loading} />`} ${run.error && html`<p class="state error sql-error" role="alert" id="sql-error">${run.error.message}${where}</p>`}
        ${
          result &&
          html`<div id="sql-output" data-loaded="true">
            <p class="note">
              ${t('resultRows', { n: format.number(result.row_count) })}
              ${result.truncated && html`<strong class="truncated"> ${t('truncated', { n: format.number(result.row_count) })}</strong>`}
            </p>
            <${ChartControls} chart=${chart} result=${result} onChange=${setChart} t=${t} />
            ${result.rows.length === 0 && html`<${Empty}>${t('noRows')}<//>`}
            ${
              result.rows.length > 0 &&
              chart.type !== 'table' &&
              html`<${SqlChart} type=${chart.type} result=${result} x=${chart.x} y=${chart.y} label=${t('chartLabel')} formatNumber=${format.number} />
                ${result.rows.length > MAX_POINTS && html`<p class="note">${t('firstPoints', { n: format.number(MAX_POINTS) })}</p>`}`
            }
            ${result.rows.length > 0 && html`<${ResultTable} result=${result} />`}
          </div>`
        }
      </section>
    </div>`;
}
