// Audiences: every segment with its newest audience snapshot (size, when), and audiences of experiment variants.
// A row opens the audience's page (materialize, versions, export). The audience of segment S has the id S.
import { html } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useFormat, useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { Empty, ErrorNote, Loading } from '../components/states.js';
import { Audience } from './audience.js';

const TEXT = {
  'zh-CN': {
    title: '人群包',
    intro: '每个人群规则可以生成人群包快照（排除退订、投诉、黑名单和无手机号的用户），再导出给发送系统。',
    name: '名称',
    version: '最新版本',
    size: '可发送人数',
    materializedAt: '生成时间',
    notYet: '尚未生成',
    open: '打开',
    empty: '还没有人群。先在人群圈选中建立您的第一个人群，然后回到这里生成人群包并导出。',
    buildFirst: '建立第一个人群',
  },
  en: {
    title: 'Audiences',
    intro:
      "Snapshot a segment's contacts into an audience (unsubscribed, complained, blacklisted and phoneless contacts are left out), then export it for sending.",
    name: 'Name',
    version: 'Newest version',
    size: 'Sendable contacts',
    materializedAt: 'Materialized',
    notYet: 'Not materialized yet',
    open: 'Open',
    empty: 'No audiences yet. Build your first audience in the segment builder, then come back here to materialize and export it.',
    buildFirst: 'Build your first audience',
  },
};

const READS_SEGMENTS = ['admin', 'analyst', 'marketer'];

/** Segments (when the role may read them) and audiences, joined by id: one row each. */
async function loadRows(role) {
  const [audiences, segments] = await Promise.all([
    api('GET', '/audiences', { query: { limit: 500 } }),
    READS_SEGMENTS.includes(role) ? api('GET', '/segments', { query: { limit: 500 } }) : { segments: [] },
  ]);
  const byId = new Map(audiences.audiences.map((a) => [a.id, a]));
  const rows = segments.segments.map((s) => ({ id: s.id, name: s.name, audience: byId.get(s.id) }));
  const known = new Set(rows.map((r) => r.id));
  for (const a of audiences.audiences) if (!known.has(a.id)) rows.push({ id: a.id, name: a.name, audience: a });
  return rows;
}

function Audiences({ session }) {
  const t = useText(TEXT);
  const format = useFormat();
  const { data, error, loading, reload } = useApi(() => loadRows(session.role), [session.role]);
  return html`<div class="workbench-page">
    <div class="page-head"><h2 class="page-title">${t('title')}</h2></div>
    <p class="intro">${t('intro')}</p>
    ${loading && html`<${Loading} />`} ${error && html`<${ErrorNote} error=${error} retry=${reload} />`}
    ${data && !data.length && html`<${Empty}>${t('empty')} <a href="#/segments/new">${t('buildFirst')}</a><//>`}
    ${
      data?.length > 0 &&
      html`<section data-loaded="true">
        <table id="audience-list">
          <thead>
            <tr>
              <th scope="col">${t('name')}</th>
              <th scope="col">${t('version')}</th>
              <th scope="col">${t('size')}</th>
              <th scope="col">${t('materializedAt')}</th>
            </tr>
          </thead>
          <tbody>
            ${data.map(
              (row) =>
                html`<tr data-id=${row.id}>
                  <td><a href=${`#/audiences/${encodeURIComponent(row.id)}`}>${row.name}</a></td>
                  <td>${row.audience ? row.audience.spec.version : t('notYet')}</td>
                  <td class="num">${row.audience ? format.number(row.audience.spec.size) : ''}</td>
                  <td>${row.audience ? format.dateTime(row.audience.spec.materialized_at) : ''}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>`
    }
  </div>`;
}

/** `#/audiences` lists them, `#/audiences/:id` opens one. */
export function AudiencePages(props) {
  return props.params.id === undefined ? html`<${Audiences} ...${props} />` : html`<${Audience} ...${props} />`;
}
