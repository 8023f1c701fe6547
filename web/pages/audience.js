// One audience (the audience of segment S has the id S): materialize a new snapshot with eligibility options and see
// its size, matched contacts and each exclusion; the snapshots still readable, each deletable (asked twice); export.
import { html, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useFormat, useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { Empty, ErrorNote, Loading } from '../components/states.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { EligibilityForm } from '../components/eligibility-form.js';
import { AudienceExport } from '../components/audience-export.js';

const TEXT = {
  'zh-CN': {
    back: '← 全部人群包',
    materialize: '生成新版本',
    result: '本次结果',
    versions: '版本',
    version: '版本',
    materializedAt: '生成时间',
    size: '可发送',
    matched: '命中规则',
    suppressed: '已屏蔽（退订/投诉/黑名单）',
    no_phone: '无手机号',
    new_user_rule: '新用户规则',
    frequency_cap: '频次控制',
    options: '发送限制',
    none: '无',
    delete: '删除',
    deleteQuestion: '删除第 {version} 版的成员？',
    deleted: '第 {version} 版已删除。',
    noVersions: '还没有人群包。在上方选择发送限制，然后点击“生成人群包”。',
    noVersionsReader: '还没有人群包。请营销人员生成后再来导出。',
    cap: '频次 {per}/周（VIP {vip}/周，等级 ≥ {level}）',
    newUser: '3-7-15（{kind}）',
    window: '时段 {start}–{end}{workdays}',
    workdaysOnly: '，仅工作日',
    promotion: '营销',
    service: '服务',
  },
  en: {
    back: '← All audiences',
    materialize: 'Materialize a new version',
    result: 'This run',
    versions: 'Versions',
    version: 'Version',
    materializedAt: 'Materialized',
    size: 'Sendable',
    matched: 'Matched the rule',
    suppressed: 'Suppressed (unsubscribed, complained, blacklisted)',
    no_phone: 'No phone',
    new_user_rule: 'New-user rule',
    frequency_cap: 'Frequency cap',
    options: 'Eligibility',
    none: 'none',
    delete: 'Delete',
    deleteQuestion: 'Delete the members of version {version}?',
    deleted: 'Version {version} deleted.',
    noVersions: 'No snapshot yet. Choose the eligibility options above and press Materialize.',
    noVersionsReader: 'No snapshot yet. Ask a marketer to materialize it, then export it here.',
    cap: 'cap {per}/week (VIP {vip}/week from level {level})',
    newUser: '3-7-15 ({kind})',
    window: 'window {start}–{end}{workdays}',
    workdaysOnly: ', workdays only',
    promotion: 'promotion',
    service: 'service',
  },
};

const EXCLUSIONS = ['suppressed', 'no_phone', 'new_user_rule', 'frequency_cap'];
const WRITERS = ['admin', 'marketer'];
const READS_SEGMENTS = ['admin', 'analyst', 'marketer'];

/** Null for a 404 (no snapshot yet; or an experiment variant's audience, which has no segment). */
const orNone = (promise) => promise.catch((err) => (err.status === 404 ? null : Promise.reject(err)));

function loadAudience(id, role) {
  const path = encodeURIComponent(id);
  return Promise.all([orNone(api('GET', `/audiences/${path}`)), READS_SEGMENTS.includes(role) ? orNone(api('GET', `/segments/${path}`)) : null]).then(
    ([audience, segment]) => ({ audience, segment }),
  );
}

/** The eligibility options of a snapshot, in a few words. */
function describeEligibility(e, t) {
  const parts = [];
  if (e.frequency_cap) {
    const c = { per_week: 2, vip_per_week: 4, vip_min_level: 1, ...(typeof e.frequency_cap === 'object' ? e.frequency_cap : {}) };
    parts.push(t('cap', { per: c.per_week, vip: c.vip_per_week, level: c.vip_min_level }));
  }
  if (e.new_user_rule) parts.push(t('newUser', { kind: t(e.message_kind ?? 'promotion') }));
  if (e.send_window)
    parts.push(t('window', { start: e.send_window.start, end: e.send_window.end, workdays: e.send_window.workdays_only ? t('workdaysOnly') : '' }));
  return parts.length ? parts.join('; ') : t('none');
}

function Counts({ result, t, format }) {
  return html`<dl class="counts" id="materialized">
    <div>
      <dt>${t('size')}</dt>
      <dd data-count="size">${format.number(result.size)}</dd>
    </div>
    <div>
      <dt>${t('matched')}</dt>
      <dd data-count="matched">${format.number(result.matched)}</dd>
    </div>
    ${EXCLUSIONS.map(
      (name) =>
        html`<div>
          <dt>${t(name)}</dt>
          <dd data-count=${name}>${format.number(result.excluded[name] ?? 0)}</dd>
        </div>`,
    )}
  </dl>`;
}

function Versions({ versions, canDelete, onDelete, t, format }) {
  return html`<table id="versions">
    <thead>
      <tr>
        <th scope="col">${t('version')}</th>
        <th scope="col">${t('materializedAt')}</th>
        <th scope="col">${t('size')}</th>
        <th scope="col">${t('matched')}</th>
        ${EXCLUSIONS.map((name) => html`<th scope="col">${t(name)}</th>`)}
        <th scope="col">${t('options')}</th>
        ${canDelete && html`<th scope="col"><span class="visually-hidden">${t('delete')}</span></th>`}
      </tr>
    </thead>
    <tbody>
      ${[...versions].reverse().map(
        (v) =>
          html`<tr data-version=${v.version}>
            <td>${v.version}</td>
            <td>${format.dateTime(v.materialized_at)}</td>
            <td class="num">${format.number(v.size)}</td>
            <td class="num">${format.number(v.matched)}</td>
            ${EXCLUSIONS.map((name) => html`<td class="num">${format.number(v.excluded[name] ?? 0)}</td>`)}
            <td>${describeEligibility(v.eligibility ?? {}, t)}</td>
            ${
              canDelete &&
              html`<td>
                <${ConfirmButton} label=${t('delete')} question=${t('deleteQuestion', { version: v.version })} onConfirm=${() => onDelete(v.version)} />
              </td>`
            }
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function Audience({ session, params }) {
  const t = useText(TEXT);
  const format = useFormat();
  const { id } = params;
  const writer = WRITERS.includes(session.role);
  const { data, error, loading, reload } = useApi(() => loadAudience(id, session.role), [id, session.role]);
  const [run, setRun] = useState({});
  const materialize = async (eligibility) => {
    setRun({ busy: true });
    try {
      const result = await api('POST', `/segments/${encodeURIComponent(id)}/materialize`, { body: { eligibility } });
      setRun({ result });
      reload();
    } catch (err) {
      setRun({ error: err });
    }
  };
  const remove = async (version) => {
    try {
      await api('DELETE', `/audiences/${encodeURIComponent(id)}/versions/${version}`);
      setRun({ deleted: version });
      reload();
    } catch (err) {
      setRun({ error: err });
    }
  };
  const versions = data?.audience?.versions ?? [];
  const title = data?.segment?.name ?? id;
  return html`<div class="workbench-page">
    <p><a href="#/audiences">${t('back')}</a></p>
    <div class="page-head"><h2 class="page-title" id="audience-title">${data ? title : id}</h2></div>
    ${error && html`<${ErrorNote} error=${error} retry=${reload} />`}
    ${
      writer &&
      data?.segment &&
      html`<section class="audience-run">
        <h3>${t('materialize')}</h3>
        <${EligibilityForm} onSubmit=${materialize} busy=${run.busy} />
        ${
          run.result &&
          html`<h4>${t('result')}</h4>
            <${Counts} result=${run.result} t=${t} format=${format} />`
        }
        ${run.deleted && html`<p role="status">${t('deleted', { version: run.deleted })}</p>`} ${run.error && html`<${ErrorNote} error=${run.error} />`}
      </section>`
    }
    <section data-loaded=${data && !loading ? 'true' : undefined}>
      <h3>${t('versions')}</h3>
      ${loading && html`<${Loading} />`} ${data && !versions.length && html`<${Empty}>${writer ? t('noVersions') : t('noVersionsReader')}<//>`}
      ${versions.length > 0 && html`<${Versions} versions=${versions} canDelete=${writer} onDelete=${remove} t=${t} format=${format} />`}
    </section>
    ${versions.length > 0 && html`<section><${AudienceExport} audienceId=${id} versions=${versions} /></section>`}
  </div>`;
}
