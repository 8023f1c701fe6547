// Experiments: the list (#/experiments), the form that creates one (#/experiments/new) and one experiment's
// results (#/experiments/:id). Only marketers and admins may create, start, stop or allocate (the API refuses the
// others), so analysts see the list and the results without those buttons.
import { html } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useFormat, useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { Empty, ErrorNote, Loading } from '../components/states.js';
import { NewExperiment } from './experiment-new.js';
import { ExperimentResults } from './experiment-results.js';

const TEXT = {
  'zh-CN': {
    title: '实验',
    create: '新建实验',
    name: '名称',
    status: '状态',
    variants: '版本（权重）',
    metrics: '指标',
    changed: '更新时间',
    draft: '草稿',
    running: '进行中',
    stopped: '已停止',
    emptyChanger: '还没有实验。点击“新建实验”比较不同的短信文案或发送策略。',
    emptyReader: '还没有实验。营销人员创建实验后，结果会显示在这里。',
  },
  en: {
    title: 'Experiments',
    create: 'New experiment',
    name: 'Name',
    status: 'Status',
    variants: 'Variants (weights)',
    metrics: 'Metrics',
    changed: 'Changed',
    draft: 'Draft',
    running: 'Running',
    stopped: 'Stopped',
    emptyChanger: 'No experiments yet. Choose “New experiment” to compare message texts or send strategies.',
    emptyReader: 'No experiments yet. Results appear here once a marketer creates one.',
  },
};

/** The roles the API lets create, start, stop and allocate experiments. */
const CHANGERS = ['marketer', 'admin'];

function ExperimentList({ canChange }) {
  const t = useText(TEXT);
  const format = useFormat();
  const { data, error, loading, reload } = useApi(() => api('GET', '/experiments', { query: { limit: 100 } }), []);
  const experiments = data?.experiments ?? [];
  return html`
    <div class="page-head">
      <h2 class="page-title">${t('title')}</h2>
      ${canChange && html`<a class="button" href="#/experiments/new" data-testid="new-experiment">${t('create')}</a>`}
    </div>
    ${loading && html`<${Loading} />`} ${error && html`<${ErrorNote} error=${error} retry=${reload} />`}
    ${data && !experiments.length && html`<${Empty}>${t(canChange ? 'emptyChanger' : 'emptyReader')}<//>`}
    ${
      experiments.length > 0 &&
      html`<section class="wide" data-loaded="true">
        <table id="experiments">
          <thead>
            <tr>
              <th scope="col">${t('name')}</th>
              <th scope="col">${t('status')}</th>
              <th scope="col">${t('variants')}</th>
              <th scope="col">${t('metrics')}</th>
              <th scope="col">${t('changed')}</th>
            </tr>
          </thead>
          <tbody>
            ${experiments.map(
              (e) =>
                html`<tr data-id=${e.id}>
                  <td><a href=${`#/experiments/${encodeURIComponent(e.id)}`}>${e.name}</a></td>
                  <td>${t(e.spec.status)}</td>
                  <td>${e.spec.variants.map((v) => `${v.key} (${format.number(v.weight)})`).join(', ')}</td>
                  <td>${e.spec.metrics.join(', ')}</td>
                  <td>${format.dateTime(e.changed_at)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>`
    }
  `;
}

/** '/experiments' lists, '/experiments/new' creates, '/experiments/:id' shows one. */
export function Experiments({ session, params }) {
  const canChange = CHANGERS.includes(session.role);
  if (params.id === 'new') return canChange ? html`<${NewExperiment} />` : html`<${ErrorNote} error=${{ status: 403 }} />`;
  if (params.id) return html`<${ExperimentResults} id=${params.id} canChange=${canChange} />`;
  return html`<${ExperimentList} canChange=${canChange} />`;
}
