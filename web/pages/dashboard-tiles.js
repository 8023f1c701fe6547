// The dashboard's SQL tiles (analysts and admins): one per saved query pinned to the dashboard, run over the snapshot
// when the dashboard loads and drawn as it is on the SQL page. A failing query shows its error in its own tile.
import { html } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { SqlChart } from '../components/sql-chart.js';
import { Empty, ErrorNote, Loading } from '../components/states.js';
import { useFormat, useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { ResultTable } from './sql.js';

const TEXT = {
  'zh-CN': {
    tiles: 'SQL 图块',
    noPinned: '还没有固定到看板的查询：在 SQL 页面保存查询时勾选“显示在数据看板”。',
    snapshot: '数据截至 {time}',
    open: '在 SQL 页面打开',
    chartLabel: '“{name}”的图表',
    noRows: '查询没有返回任何行。',
    firstRows: '只显示前 {n} 行。',
  },
  en: {
    tiles: 'SQL tiles',
    noPinned: 'No query is pinned to the dashboard yet: on the SQL page, tick "Show on the dashboard" when saving a query.',
    snapshot: 'Data as of {time}',
    open: 'Open in the SQL page',
    chartLabel: 'Chart of "{name}"',
    noRows: 'The query returned no rows.',
    firstRows: 'Showing the first {n} rows.',
  },
};

/** Rows a table tile shows at most: the SQL page has the rest. */
const TABLE_ROWS = 20;
const PAGE = 100;

/** Every saved query of the workspace pinned to the dashboard, following the list's pages. */
async function pinnedQueries() {
  const pinned = [];
  let cursor;
  do {
    const page = await api('GET', '/sql/queries', { query: { limit: PAGE, cursor } });
    pinned.push(...page.queries.filter((q) => q.spec.pinned));
    cursor = page.next_cursor;
  } while (cursor);
  return pinned;
}

function TileResult({ saved, result, t, format }) {
  const { type, x, y } = saved.spec.chart;
  if (result.rows.length === 0) return html`<${Empty}>${t('noRows')}<//>`;
  const names = result.columns.map((c) => c.name);
  if (type !== 'table' && names.includes(x) && y.some((n) => names.includes(n))) {
    return html`<${SqlChart}
      id=${`sql-tile-chart-${saved.id}`}
      type=${type}
      result=${result}
      x=${x}
      y=${y}
      label=${t('chartLabel', { name: saved.name })}
      formatNumber=${format.number}
    />`;
  }
  return html`<${ResultTable} id=${`sql-tile-table-${saved.id}`} result=${{ ...result, rows: result.rows.slice(0, TABLE_ROWS) }} />
    ${result.rows.length > TABLE_ROWS && html`<p class="note">${t('firstRows', { n: format.number(TABLE_ROWS) })}</p>`}`;
}

function Tile({ saved }) {
  const t = useText(TEXT);
  const format = useFormat();
  const { data, error, loading, reload } = useApi(() => api('POST', '/sql', { body: { query: saved.spec.query } }), [saved.id, saved.version]);
  return html`<section class="sql-tile" data-id=${saved.id} data-tile-loaded=${loading ? 'false' : 'true'}>
    <h3 class="sql-tile-name">${saved.name}</h3>
    ${loading && html`<${Loading} />`} ${error && html`<${ErrorNote} error=${error} retry=${reload} />`}
    ${data && html`<${TileResult} saved=${saved} result=${data} t=${t} format=${format} />`}
    <p class="note sql-tile-foot">
      ${data?.snapshot.taken_at && html`<span class="sql-tile-snapshot">${t('snapshot', { time: format.dateTime(data.snapshot.taken_at) })}</span>`}
      <a href=${`#/sql/${encodeURIComponent(saved.id)}`} aria-label=${`${t('open')}: ${saved.name}`}>${t('open')}</a>
    </p>
  </section>`;
}

// Not data-loaded: the dashboard's tests wait for that attribute on its own panels.
export function SqlTiles() {
  const t = useText(TEXT);
  const { data, error, loading, reload } = useApi(pinnedQueries, []);
  return html`<section class="wide sql-tiles" id="sql-tiles" data-tiles-loaded=${loading ? 'false' : 'true'}>
    <h2>${t('tiles')}</h2>
    ${loading && html`<${Loading} />`} ${error && html`<${ErrorNote} error=${error} retry=${reload} />`}
    ${data?.length === 0 && html`<${Empty}>${t('noPinned')}<//>`}
    ${data?.length > 0 && html`<div class="sql-tile-grid">${data.map((saved) => html`<${Tile} key=${saved.id} saved=${saved} />`)}</div>`}
  </section>`;
}
