// A segment's versions, newest first: when, by which key, and what changed from the version before (name, rule).
import { html } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useFormat, useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { ErrorNote, Loading } from './states.js';

const TEXT = {
  'zh-CN': {
    title: '版本记录',
    version: '版本',
    when: '时间',
    who: '修改者（密钥 ID）',
    what: '变更',
    created: '创建',
    renamed: '改名为 {name}',
    ruleChanged: '修改了规则',
    unchanged: '无变化',
    open: '载入此版本',
    openVersion: '把版本 {version} 载入编辑器',
  },
  en: {
    title: 'Versions',
    version: 'Version',
    when: 'When',
    who: 'Changed by (key id)',
    what: 'What changed',
    created: 'Created',
    renamed: 'Renamed to {name}',
    ruleChanged: 'Rule changed',
    unchanged: 'No change',
    open: 'Load',
    openVersion: 'Load version {version} into the editor',
  },
};

/** What a version changed compared with the one before it (the list is newest first). */
function changes(versions, i, t) {
  const before = versions[i + 1];
  const v = versions[i];
  if (!before) return [t('created')];
  const what = [];
  if (before.name !== v.name) what.push(t('renamed', { name: v.name }));
  if (JSON.stringify(before.spec.rule) !== JSON.stringify(v.spec.rule)) what.push(t('ruleChanged'));
  return what.length ? what : [t('unchanged')];
}

/** `stamp` changes after each save, so the list is read again. `onOpen(version)` loads one into the editor. */
export function SegmentVersions({ id, stamp, onOpen }) {
  const t = useText(TEXT);
  const format = useFormat();
  const { data, error, loading, reload } = useApi(() => api('GET', `/segments/${encodeURIComponent(id)}/versions`), [id, stamp]);
  return html`<section class="segment-versions">
    <h2>${t('title')}</h2>
    ${loading && html`<${Loading} />`} ${error && html`<${ErrorNote} error=${error} retry=${reload} />`}
    ${
      data &&
      html`<table id="versions">
        <thead>
          <tr>
            <th scope="col">${t('version')}</th>
            <th scope="col">${t('when')}</th>
            <th scope="col">${t('who')}</th>
            <th scope="col">${t('what')}</th>
            <th scope="col"><span class="visually-hidden">${t('open')}</span></th>
          </tr>
        </thead>
        <tbody>
          ${data.versions.map(
            (v, i) =>
              html`<tr data-version=${v.version}>
                <td>${format.number(v.version)}</td>
                <td>${format.dateTime(v.changed_at)}</td>
                <td><code>${v.changed_by}</code></td>
                <td>${changes(data.versions, i, t).join(' · ')}</td>
                <td><button type="button" aria-label=${t('openVersion', { version: v.version })} onClick=${() => onOpen(v)}>${t('open')}</button></td>
              </tr>`,
          )}
        </tbody>
      </table>`
    }
  </section>`;
}
