// Segments: the list (newest version of each, a page at a time) with an empty state that leads to the builder;
// '#/segments/new' and '#/segments/:id' open the builder (segment-builder.js).
import { html, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useFormat, useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { Empty, ErrorNote, Loading } from '../components/states.js';
import { SegmentBuilder } from './segment-builder.js';

const TEXT = {
  'zh-CN': {
    title: '人群',
    create: '+ 新建人群',
    name: '名称',
    version: '版本',
    changed: '最近修改',
    by: '修改者（密钥 ID）',
    more: '加载更多',
    empty: '还没有人群。',
    buildFirst: '创建第一个人群',
    emptyReader: '还没有人群：请营销人员创建第一个人群。',
  },
  en: {
    title: 'Segments',
    create: '+ New audience',
    name: 'Name',
    version: 'Version',
    changed: 'Last changed',
    by: 'Changed by (key id)',
    more: 'Load more',
    empty: 'No segments yet.',
    buildFirst: 'Build your first audience',
    emptyReader: 'No segments yet: a marketer builds the first audience.',
  },
};
const WRITERS = ['marketer', 'admin'];
const PAGE = 50;

function SegmentList({ session }) {
  const t = useText(TEXT);
  const format = useFormat();
  const writable = WRITERS.includes(session.role);
  // Pages already shown, and the cursor of the next one.
  const [cursor, setCursor] = useState(undefined);
  const [earlier, setEarlier] = useState([]);
  const { data, error, loading, reload } = useApi(() => api('GET', '/segments', { query: { limit: PAGE, cursor } }), [cursor]);
  const rows = [...earlier, ...(loading ? [] : (data?.segments ?? []))];
  return html`<div class="page-head">
      <h2 class="page-title">${t('title')}</h2>
      ${writable && html`<a class="button" href="#/segments/new" id="new-segment">${t('create')}</a>`}
    </div>
    ${loading && html`<${Loading} />`} ${error && html`<${ErrorNote} error=${error} retry=${reload} />`}
    ${data && rows.length === 0 && html`<${Empty}>${writable ? html`${t('empty')} <a href="#/segments/new">${t('buildFirst')}</a>` : t('emptyReader')}<//>`}
    ${
      rows.length > 0 &&
      html`<section data-loaded=${data ? 'true' : undefined}>
        <table id="segments">
          <thead>
            <tr>
              <th scope="col">${t('name')}</th>
              <th scope="col">${t('version')}</th>
              <th scope="col">${t('changed')}</th>
              <th scope="col">${t('by')}</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              (s) =>
                html`<tr data-id=${s.id}>
                  <td><a href=${`#/segments/${encodeURIComponent(s.id)}`}>${s.name}</a></td>
                  <td>${format.number(s.version)}</td>
                  <td>${format.dateTime(s.changed_at)}</td>
                  <td><code>${s.changed_by}</code></td>
                </tr>`,
            )}
          </tbody>
        </table>
        ${
          data?.next_cursor &&
          html`<button
            type="button"
            onClick=${() => {
              setEarlier(rows);
              setCursor(data.next_cursor);
            }}
          >
            ${t('more')}
          </button>`
        }
      </section>`
    }`;
}

/** '#/segments' lists; '#/segments/new' and '#/segments/:id' build. */
export function Segments({ session, params }) {
  if (!params.id) return html`<${SegmentList} session=${session} />`;
  return html`<${SegmentBuilder} session=${session} id=${params.id === 'new' ? undefined : params.id} />`;
}
