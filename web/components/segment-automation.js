// "Keep it current" on a saved segment's page: its refresh schedule with the last runs, the webhooks that receive
// each new version (the secret shown once), and the realtime flag with the last changes. Marketers and admins
// edit; an analyst reads the schedule and the realtime state; webhooks (their URLs may carry tokens) are hidden.
import { html, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useFormat, useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { ConfirmButton } from './confirm-button.js';
import { Empty, ErrorNote, Loading } from './states.js';

const TEXT = {
  'zh-CN': {
    title: '自动更新',
    schedule: '定时刷新',
    cron: 'Cron 表达式（分 时 日 月 周）',
    zone: '按工作区时区 {zone} 计算',
    nextRun: '下次运行：{when}',
    noNext: '已停用，不会运行',
    keep: '保留版本数',
    enabled: '启用',
    saveSchedule: '保存计划',
    stopSchedule: '停止刷新',
    stopQuestion: '停止此人群的定时刷新？',
    noSchedule: '尚无刷新计划：填写 Cron 表达式（例如 0 6 * * * 表示每天 6 点）并保存。',
    noScheduleRead: '尚无刷新计划。',
    runs: '最近运行',
    slot: '计划时间',
    status: '状态',
    size: '人数',
    version: '版本',
    error: '错误',
    noRuns: '还没有运行记录：计划到点后会在这里列出。',
    running: '运行中',
    succeeded: '成功',
    failed: '失败',
    skipped: '跳过',
    webhooks: 'Webhook 通知',
    url: 'URL',
    description: '说明',
    addWebhook: '添加 Webhook',
    noWebhooks: '尚无 Webhook：添加一个 URL，每个新版本都会签名推送给它。',
    secret: '签名密钥',
    secretWarning: '此密钥只显示这一次，之后无法再读取，请立即复制保存。',
    copy: '复制',
    copied: '已复制',
    remove: '删除',
    removeQuestion: '删除这个 Webhook？',
    sendTest: '发送测试',
    deliveries: '投递记录',
    deliveriesOf: '{url} 的投递记录',
    showDeliveries: '查看投递',
    event: '事件',
    attempts: '尝试次数',
    delivered: '已送达',
    outcome: '结果（HTTP 状态 / 错误）',
    testOf: '向 {url} 发送测试',
    deliveriesFor: '查看 {url} 的投递',
    yes: '是',
    no: '否',
    noDeliveries: '还没有投递：点击“发送测试”或等待下一个版本。',
    realtime: '实时人群',
    realtimeOn: '实时更新成员（秒级）',
    notQualify: '此规则不能实时更新：{reason}',
    changes: '最近 20 条变化',
    entered: '进入',
    left: '离开',
    when: '时间',
    contact: '联系人',
    noChanges: '还没有变化：开启实时后，联系人进入或离开人群时会列在这里。',
    busy: '处理中…',
  },
  en: {
    title: 'Keep it current',
    schedule: 'Scheduled refresh',
    cron: 'Cron expression (minute hour day month weekday)',
    zone: "On the workspace's clock: {zone}",
    nextRun: 'Next run: {when}',
    noNext: 'Disabled: will not run',
    keep: 'Versions kept',
    enabled: 'Enabled',
    saveSchedule: 'Save schedule',
    stopSchedule: 'Stop refreshing',
    stopQuestion: "Stop this segment's scheduled refresh?",
    noSchedule: 'No refresh schedule yet: enter a cron expression (e.g. 0 6 * * * for 6:00 every day) and save.',
    noScheduleRead: 'No refresh schedule yet.',
    runs: 'Last runs',
    slot: 'Slot',
    status: 'Status',
    size: 'Size',
    version: 'Version',
    error: 'Error',
    noRuns: 'No runs yet: they are listed here once a slot comes.',
    running: 'Running',
    succeeded: 'Succeeded',
    failed: 'Failed',
    skipped: 'Skipped',
    webhooks: 'Webhooks',
    url: 'URL',
    description: 'Description',
    addWebhook: 'Add webhook',
    noWebhooks: 'No webhooks yet: add a URL and each new version is posted to it, signed.',
    secret: 'Signing secret',
    secretWarning: 'This secret is shown this once and can never be read again: copy it now.',
    copy: 'Copy',
    copied: 'Copied',
    remove: 'Delete',
    removeQuestion: 'Delete this webhook?',
    sendTest: 'Send test',
    deliveries: 'Deliveries',
    deliveriesOf: 'Deliveries of {url}',
    showDeliveries: 'Deliveries',
    event: 'Event',
    attempts: 'Attempts',
    delivered: 'Delivered',
    outcome: 'Outcome (HTTP status / error)',
    testOf: 'Send a test to {url}',
    deliveriesFor: 'Deliveries of {url}',
    yes: 'Yes',
    no: 'No',
    noDeliveries: 'No deliveries yet: press "Send test" or wait for the next version.',
    realtime: 'Realtime',
    realtimeOn: 'Keep membership current within seconds',
    notQualify: 'This rule cannot be kept in realtime: {reason}',
    changes: 'Last 20 changes',
    entered: 'Entered',
    left: 'Left',
    when: 'When',
    contact: 'Contact',
    noChanges: 'No changes yet: once realtime is on, contacts entering or leaving are listed here.',
    busy: 'Working…',
  },
};

const WRITERS = ['marketer', 'admin'];
const READERS = [...WRITERS, 'analyst'];
const path = (id, rest = '') => `/segments/${encodeURIComponent(id)}${rest}`;
/** A missing schedule is a 404: for this panel that means "none yet", not a failure. */
const orNone = (promise) => promise.catch((err) => (err?.status === 404 ? null : Promise.reject(err)));

/** The API's message beside the field it names (`body.cron`, `body.url`, …); nothing for another field. */
function FieldError({ error, field, id }) {
  if (!error || error.field !== field) return null;
  return html`<p class="field-error" id=${id} role="alert">${error.message}</p>`;
}
/** The error when no field of the form claims it. */
const unclaimed = (error, fields) => error && !fields.includes(error.field) && html`<${ErrorNote} error=${error} />`;

/** Runs `action` with busy/error state; `done(answer)` on success. */
function useAction() {
  const [state, setState] = useState({ busy: false, error: undefined });
  const run = async (action, done) => {
    setState({ busy: true, error: undefined });
    try {
      const answer = await action();
      setState({ busy: false, error: undefined });
      done?.(answer);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return { ...state, run };
}

function Table({ id, heads, rows }) {
  return html`<table id=${id}>
    <thead>
      <tr>
        ${heads.map((h) => html`<th scope="col">${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

function ScheduleRuns({ id, stamp }) {
  const t = useText(TEXT);
  const format = useFormat();
  const runs = useApi(() => api('GET', path(id, '/schedule/runs'), { query: { limit: 10 } }), [id, stamp]);
  if (runs.loading) return html`<${Loading} />`;
  if (runs.error) return html`<${ErrorNote} error=${runs.error} retry=${runs.reload} />`;
  if (!runs.data.runs.length) return html`<${Empty}>${t('noRuns')}<//>`;
  const rows = runs.data.runs.map(
    (r) =>
      html`<tr>
        <td>${format.dateTime(r.slot)}</td>
        <td>${t(r.status)}</td>
        <td>${format.number(r.size)}</td>
        <td>${format.number(r.audience_version)}</td>
        <td>${r.error ?? ''}</td>
      </tr>`,
  );
  return html`<${Table} id="schedule-runs" heads=${[t('slot'), t('status'), t('size'), t('version'), t('error')]} rows=${rows} />`;
}

function ScheduleForm({ id, schedule, writable, onSaved }) {
  const t = useText(TEXT);
  const format = useFormat();
  const [cron, setCron] = useState(schedule?.cron ?? '');
  const [keep, setKeep] = useState(schedule?.keep_versions ?? 10);
  const [enabled, setEnabled] = useState(schedule?.enabled ?? true);
  const action = useAction();
  const save = (event) => {
    event.preventDefault();
    action.run(() => api('PUT', path(id, '/schedule'), { body: { cron, keep_versions: Number(keep), enabled } }), onSaved);
  };
  const stop = () =>
    action.run(
      () => api('DELETE', path(id, '/schedule')),
      () => onSaved(null),
    );
  const zone = schedule?.timezone ?? format.timezone;
  return html`<form class="automation-form" onSubmit=${save}>
      <label for="schedule-cron">${t('cron')}</label>
      <input
        id="schedule-cron"
        type="text"
        maxlength="200"
        required
        readonly=${!writable}
        value=${cron}
        onInput=${(e) => setCron(e.currentTarget.value)}
        aria-describedby="schedule-zone"
      />
      <${FieldError} error=${action.error} field="body.cron" id="schedule-cron-error" />
      <p class="muted" id="schedule-zone">${t('zone', { zone })}</p>
      <label for="schedule-keep">${t('keep')}</label>
      <input id="schedule-keep" type="number" min="1" max="100" required readonly=${!writable} value=${keep} onInput=${(e) => setKeep(e.currentTarget.value)} />
      <${FieldError} error=${action.error} field="body.keep_versions" id="schedule-keep-error" />
      <label class="inline"
        ><input id="schedule-enabled" type="checkbox" disabled=${!writable} checked=${enabled} onChange=${(e) => setEnabled(e.currentTarget.checked)} />
        ${t('enabled')}</label
      >
      ${
        writable &&
        html`<div class="automation-actions">
          <button type="submit" id="save-schedule" disabled=${action.busy}>${action.busy ? t('busy') : t('saveSchedule')}</button>
          ${schedule && html`<${ConfirmButton} label=${t('stopSchedule')} question=${t('stopQuestion')} onConfirm=${stop} disabled=${action.busy} />`}
        </div>`
      }
      ${unclaimed(action.error, ['body.cron', 'body.keep_versions'])}
    </form>
    ${
      schedule &&
      html`<p id="schedule-next" data-next=${schedule.next_run_at ?? ''}>
        ${schedule.next_run_at ? t('nextRun', { when: format.dateTime(schedule.next_run_at) }) : t('noNext')}
      </p>`
    }`;
}

function SchedulePart({ id, writable }) {
  const t = useText(TEXT);
  const [stamp, setStamp] = useState(0);
  const loaded = useApi(() => orNone(api('GET', path(id, '/schedule'))), [id, stamp]);
  const body = loaded.loading
    ? html`<${Loading} />`
    : loaded.error
      ? html`<${ErrorNote} error=${loaded.error} retry=${loaded.reload} />`
      : html`${!loaded.data && html`<${Empty}>${writable ? t('noSchedule') : t('noScheduleRead')}<//>`}
        ${(writable || loaded.data) && html`<${ScheduleForm} key=${loaded.data?.version ?? 'none'} id=${id} schedule=${loaded.data} writable=${writable} onSaved=${() => setStamp((s) => s + 1)} />`}`;
  return html`<section class="automation-part" id="segment-schedule" aria-labelledby="schedule-title">
    <h3 id="schedule-title">${t('schedule')}</h3>
    ${body}
    <h4>${t('runs')}</h4>
    <${ScheduleRuns} id=${id} stamp=${stamp} />
  </section>`;
}

function Deliveries({ id, webhook, stamp }) {
  const t = useText(TEXT);
  const format = useFormat();
  const list = useApi(() => api('GET', path(id, `/webhooks/${encodeURIComponent(webhook.id)}/deliveries`), { query: { limit: 10 } }), [id, webhook.id, stamp]);
  let body;
  if (list.loading) body = html`<${Loading} />`;
  else if (list.error) body = html`<${ErrorNote} error=${list.error} retry=${list.reload} />`;
  else if (!list.data.deliveries.length) body = html`<${Empty}>${t('noDeliveries')}<//>`;
  else {
    const rows = list.data.deliveries.map(
      (d) =>
        html`<tr>
          <td>${format.dateTime(d.created_at)}</td>
          <td>${d.event}</td>
          <td>${format.number(d.attempts)}</td>
          <td>${d.delivered ? t('yes') : t('no')}</td>
          <td>${d.status ?? ''} ${d.error ?? ''}</td>
        </tr>`,
    );
    body = html`<${Table} id="webhook-deliveries" heads=${[t('when'), t('event'), t('attempts'), t('delivered'), t('outcome')]} rows=${rows} />`;
  }
  return html`<div class="webhook-deliveries">
    <h4>${t('deliveriesOf', { url: webhook.url })}</h4>
    ${body}
  </div>`;
}

/** The secret of a webhook just added: read-only, copyable, with the warning that it is never shown again. */
function SecretOnce({ secret }) {
  const t = useText(TEXT);
  const [copied, setCopied] = useState(false);
  const copy = () =>
    navigator.clipboard?.writeText(secret).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return html`<div class="secret-once" role="status">
    <p class="warning">${t('secretWarning')}</p>
    <label for="webhook-secret">${t('secret')}</label>
    <input id="webhook-secret" type="text" readonly value=${secret} onFocus=${(e) => e.currentTarget.select()} />
    <button type="button" onClick=${copy}>${copied ? t('copied') : t('copy')}</button>
  </div>`;
}

function WebhookForm({ id, onAdded }) {
  const t = useText(TEXT);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const action = useAction();
  const add = (event) => {
    event.preventDefault();
    const body = description.trim() ? { url, description } : { url };
    action.run(
      () => api('POST', path(id, '/webhooks'), { body }),
      (created) => {
        setUrl('');
        setDescription('');
        onAdded(created);
      },
    );
  };
  return html`<form class="automation-form" onSubmit=${add}>
    <label for="webhook-url">${t('url')}</label>
    <input id="webhook-url" type="url" maxlength="2048" required value=${url} onInput=${(e) => setUrl(e.currentTarget.value)} />
    <${FieldError} error=${action.error} field="body.url" id="webhook-url-error" />
    <label for="webhook-description">${t('description')}</label>
    <input id="webhook-description" type="text" maxlength="200" value=${description} onInput=${(e) => setDescription(e.currentTarget.value)} />
    <${FieldError} error=${action.error} field="body.description" id="webhook-description-error" />
    <div class="automation-actions"><button type="submit" id="add-webhook" disabled=${action.busy}>${t('addWebhook')}</button></div>
    ${unclaimed(action.error, ['body.url', 'body.description'])}
  </form>`;
}

function WebhooksPart({ id }) {
  const t = useText(TEXT);
  const [stamp, setStamp] = useState(0);
  const [secret, setSecret] = useState(undefined);
  const [open, setOpen] = useState(undefined);
  const action = useAction();
  const list = useApi(() => api('GET', path(id, '/webhooks')), [id, stamp]);
  const refresh = () => setStamp((s) => s + 1);
  const hookPath = (w) => path(id, `/webhooks/${encodeURIComponent(w.id)}`);
  const remove = (w) =>
    action.run(
      () => api('DELETE', hookPath(w)),
      () => (setOpen(open?.id === w.id ? undefined : open), refresh()),
    );
  const test = (w) =>
    action.run(
      () => api('POST', `${hookPath(w)}/test`),
      () => (setOpen(w), refresh()),
    );
  let body;
  if (list.loading) body = html`<${Loading} />`;
  else if (list.error) body = html`<${ErrorNote} error=${list.error} retry=${list.reload} />`;
  else if (!list.data.webhooks.length) body = html`<${Empty}>${t('noWebhooks')}<//>`;
  else {
    const rows = list.data.webhooks.map(
      (w) =>
        html`<tr data-webhook=${w.id}>
          <td class="webhook-url">${w.url}</td>
          <td class="webhook-description">${w.description ?? ''}</td>
          <td class="automation-actions">
            <button type="button" aria-label=${t('deliveriesFor', { url: w.url })} onClick=${() => setOpen(w)}>${t('showDeliveries')}</button>
            <button type="button" aria-label=${t('testOf', { url: w.url })} disabled=${action.busy} onClick=${() => test(w)}>${t('sendTest')}</button>
            <${ConfirmButton} label=${t('remove')} question=${t('removeQuestion')} onConfirm=${() => remove(w)} disabled=${action.busy} />
          </td>
        </tr>`,
    );
    body = html`<${Table} id="webhooks" heads=${[t('url'), t('description'), html`<span class="visually-hidden">${t('remove')}</span>`]} rows=${rows} />`;
  }
  return html`<section class="automation-part" id="segment-webhooks" aria-labelledby="webhooks-title">
    <h3 id="webhooks-title">${t('webhooks')}</h3>
    ${body} ${action.error && html`<${ErrorNote} error=${action.error} />`}
    <${WebhookForm} id=${id} onAdded=${(created) => (setSecret(created.secret), refresh())} />
    ${secret && html`<${SecretOnce} secret=${secret} />`} ${open && html`<${Deliveries} key=${open.id} id=${id} webhook=${open} stamp=${stamp} />`}
  </section>`;
}

const SHOWN_CHANGES = 20;
const CHANGES_PAGE = 500;
/**
 * The newest changes: the stream answers oldest first after a seq, so it is followed page by page to its end,
 * keeping only the last ones (a page is at most MAX_PAGE_SIZE, 1,000 by default).
 */
async function lastChanges(id) {
  let since = 0;
  let last = [];
  for (;;) {
    const page = await api('GET', path(id, '/changes'), { query: { since, limit: CHANGES_PAGE } });
    last = [...last, ...page.changes].slice(-SHOWN_CHANGES);
    if (page.changes.length < CHANGES_PAGE) return { changes: last };
    since = page.next;
  }
}

function Changes({ id, stamp }) {
  const t = useText(TEXT);
  const format = useFormat();
  const list = useApi(() => lastChanges(id), [id, stamp]);
  if (list.loading) return html`<${Loading} />`;
  if (list.error) return html`<${ErrorNote} error=${list.error} retry=${list.reload} />`;
  const last = [...list.data.changes].reverse();
  if (!last.length) return html`<${Empty}>${t('noChanges')}<//>`;
  const rows = last.map(
    (c) =>
      html`<tr data-seq=${c.seq}>
        <td>${t(c.change)}</td>
        <td>${c.phone || c.user_id}</td>
        <td>${format.dateTime(c.recorded_at)}</td>
      </tr>`,
  );
  return html`<${Table} id="realtime-changes" heads=${[t('status'), t('contact'), t('when')]} rows=${rows} />`;
}

function RealtimePart({ id, writable, stamp: segmentStamp }) {
  const t = useText(TEXT);
  const [stamp, setStamp] = useState(0);
  const action = useAction();
  const status = useApi(() => api('GET', path(id, '/realtime')), [id, stamp, segmentStamp]);
  const toggle = (enabled) =>
    action.run(
      () => api('PUT', path(id, '/realtime'), { body: { enabled } }),
      () => setStamp((s) => s + 1),
    );
  let body;
  if (status.loading && !status.data) body = html`<${Loading} />`;
  else if (status.error) body = html`<${ErrorNote} error=${status.error} retry=${status.reload} />`;
  else {
    const s = status.data;
    // A refused enable names the rule's leaf (rule.…): its message is the reason, shown beside the flag.
    const refused = action.error?.status === 400 ? action.error : undefined;
    const reason = refused?.message ?? (!s.qualifies ? s.reason : undefined);
    body = html`<label class="inline">
        <input
          id="realtime-enabled"
          type="checkbox"
          disabled=${!writable || action.busy}
          checked=${s.enabled}
          aria-describedby=${reason ? 'realtime-reason' : undefined}
          onChange=${(e) => toggle(e.currentTarget.checked)}
        />
        ${t('realtimeOn')}
      </label>
      ${reason && html`<p class="field-error" id="realtime-reason" role="alert" data-field=${refused?.field ?? s.field ?? ''}>${t('notQualify', { reason })}</p>`}
      ${action.error && !refused && html`<${ErrorNote} error=${action.error} />`}
      <h4>${t('changes')}</h4>
      <${Changes} id=${id} stamp=${stamp} />`;
  }
  return html`<section class="automation-part" id="segment-realtime" aria-labelledby="realtime-title">
    <h3 id="realtime-title">${t('realtime')}</h3>
    ${body}
  </section>`;
}

/** The panel for saved segment `id`; `stamp` changes after each save of the segment (the realtime answer may change). */
export function SegmentAutomation({ session, id, stamp }) {
  const t = useText(TEXT);
  if (!READERS.includes(session.role)) return null;
  const writable = WRITERS.includes(session.role);
  return html`<section class="segment-automation" aria-labelledby="automation-title">
    <h2 id="automation-title">${t('title')}</h2>
    <${SchedulePart} id=${id} writable=${writable} />
    ${writable && html`<${WebhooksPart} id=${id} />`}
    <${RealtimePart} id=${id} writable=${writable} stamp=${stamp} />
  </section>`;
}
