// Alerts (#/alerts): fired alerts with acknowledge (every reader may), and the rules with their editor (threshold or
// anomaly, breakdown, cooldown, webhook; analysts and admins may change them, as the API says). A template delivery
// drop shows its template, error codes and copy findings. '#/alerts/:id' draws one alert's metric series around the
// bucket that fired (alert-series.js).
import { html, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useFormat, useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { Empty, ErrorNote, Loading } from '../components/states.js';
import { AlertSeries } from './alert-series.js';
import { RuleEditor } from '../components/alert-rule-editor.js';
import { TemplateAlertDetail } from '../components/template-alert-detail.js';

const TEXT = {
  'zh-CN': {
    title: '告警',
    fired: '告警',
    open: '未处理',
    acked: '已确认',
    show: '显示',
    metric: '指标',
    group: '分组',
    bucket: '时间段',
    observed: '观测值',
    expected: '预期范围',
    volume: '样本量',
    ack: '确认',
    ackNamed: '确认告警 {name}',
    series: '查看走势',
    noOpen: '没有未处理的告警。规则每 5 分钟评估一次，触发后会显示在这里。',
    noAcked: '还没有已确认的告警。',
    rules: '告警规则',
    newRule: '新建规则',
    name: '名称',
    kind: '类型',
    interval: '粒度',
    breakdown: '拆分',
    condition: '条件',
    cooldown: '冷却（小时）',
    webhook: 'Webhook',
    enabled: '启用',
    edit: '编辑',
    editNamed: '编辑规则 {name}',
    remove: '删除',
    removeNamed: '删除规则 {name}',
    yes: '是',
    no: '否',
    noRules: '没有告警规则。点击“新建规则”添加阈值或异常检测规则。',
    threshold: '阈值',
    anomaly: '异常检测',
    template_delivery_drop: '模板到达率下降',
    dropOf: '比前 {days} 天下降 {x} 以上',
    below: '低于 {x}',
    atOrAbove: '不低于 {x}',
    sensitivity: '灵敏度 {x}，{weeks} 周',
  },
  en: {
    title: 'Alerts',
    fired: 'Alerts',
    open: 'Open',
    acked: 'Acknowledged',
    show: 'Show',
    metric: 'Metric',
    group: 'Group',
    bucket: 'Bucket',
    observed: 'Observed',
    expected: 'Expected range',
    volume: 'Volume',
    ack: 'Acknowledge',
    ackNamed: 'Acknowledge alert {name}',
    series: 'Series',
    noOpen: 'No open alerts. Rules are evaluated every 5 minutes; alerts that fire show here.',
    noAcked: 'No acknowledged alerts yet.',
    rules: 'Alert rules',
    newRule: 'New rule',
    name: 'Name',
    kind: 'Kind',
    interval: 'Interval',
    breakdown: 'Breakdown',
    condition: 'Condition',
    cooldown: 'Cooldown (hours)',
    webhook: 'Webhook',
    enabled: 'Enabled',
    edit: 'Edit',
    editNamed: 'Edit rule {name}',
    remove: 'Delete',
    removeNamed: 'Delete rule {name}',
    yes: 'Yes',
    no: 'No',
    noRules: 'No alert rules. Choose “New rule” to add a threshold or anomaly rule.',
    threshold: 'Threshold',
    anomaly: 'Anomaly',
    template_delivery_drop: 'Template delivery drop',
    dropOf: 'a fall of {x} or more against the {days} days before',
    below: 'below {x}',
    atOrAbove: 'at or above {x}',
    sensitivity: 'sensitivity {x}, {weeks} weeks',
  },
};

/** The roles the API lets change rules. */
const RULE_WRITERS = ['analyst', 'admin'];

function FiredAlerts({ t }) {
  const format = useFormat();
  const [status, setStatus] = useState('open');
  const alerts = useApi(() => api('GET', '/alerts', { query: { status, limit: 100 } }), [status]);
  const [error, setError] = useState();
  const ack = (id) => async () => {
    setError(undefined);
    try {
      await api('POST', `/alerts/${encodeURIComponent(id)}/ack`);
      alerts.reload();
    } catch (e) {
      setError(e);
    }
  };
  const list = alerts.data?.alerts ?? [];
  const range = (a) => (a.spec.expected_low === null ? '–' : `${format.percent(a.spec.expected_low)} … ${format.percent(a.spec.expected_high)}`);
  return html`<section class="wide">
    <div class="page-head">
      <h2>${t('fired')}</h2>
      <label
        >${t('show')}
        <select name="alert-status" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
          <option value="open">${t('open')}</option>
          <option value="acked">${t('acked')}</option>
        </select></label
      >
    </div>
    ${alerts.loading && html`<${Loading} />`} ${alerts.error && html`<${ErrorNote} error=${alerts.error} retry=${alerts.reload} />`}
    ${error && html`<${ErrorNote} error=${error} />`} ${alerts.data && !list.length && html`<${Empty}>${t(status === 'open' ? 'noOpen' : 'noAcked')}<//>`}
    ${
      list.length > 0 &&
      html`<table id="fired-alerts" data-status=${status}>
        <thead>
          <tr>
            ${['name', 'metric', 'group', 'bucket', 'observed', 'expected', 'volume'].map((k) => html`<th scope="col">${t(k)}</th>`)}
            <th scope="col"><span class="visually-hidden">${t('ack')}</span></th>
          </tr>
        </thead>
        <tbody>
          ${list.map(
            (a) =>
              html`<tr data-id=${a.id}>
                  <td><a href=${`#/alerts/${encodeURIComponent(a.id)}`}>${a.name}</a></td>
                  <td>${a.spec.metric}</td>
                  <td>${a.spec.breakdown_value ?? ''}</td>
                  <td>${format.dateTime(a.spec.bucket)}</td>
                  <td>${format.percent(a.spec.observed)}</td>
                  <td>${range(a)}</td>
                  <td>${format.number(a.spec.volume)}</td>
                  <td>
                    ${
                      a.spec.status === 'open' &&
                      html`<button type="button" class="ack" aria-label=${t('ackNamed', { name: a.name })} onClick=${ack(a.id)}>${t('ack')}</button>`
                    }
                  </td>
                </tr>
                ${
                  a.spec.template &&
                  html`<tr class="template-detail" data-alert=${a.id}>
                    <td colspan="8"><${TemplateAlertDetail} template=${a.spec.template} /></td>
                  </tr>`
                }`,
          )}
        </tbody>
      </table>`
    }
  </section>`;
}

function condition(rule, t, format) {
  const s = rule.spec;
  if (s.kind === 'anomaly') return t('sensitivity', { x: format.number(s.sensitivity), weeks: s.weeks });
  if (s.kind === 'template_delivery_drop') return t('dropOf', { x: format.percent(s.max_drop), days: s.baseline_days });
  const parts = [];
  if (s.threshold?.below !== undefined) parts.push(t('below', { x: format.number(s.threshold.below) }));
  if (s.threshold?.at_or_above !== undefined) parts.push(t('atOrAbove', { x: format.number(s.threshold.at_or_above) }));
  return parts.join(', ');
}

function Rules({ canChange, t }) {
  const format = useFormat();
  const rules = useApi(() => api('GET', '/alert-rules'), []);
  const [editing, setEditing] = useState(null); // null: none; {}: a new rule; a rule: that one
  const [error, setError] = useState();
  const remove = (rule) => async () => {
    setError(undefined);
    try {
      await api('DELETE', `/alert-rules/${encodeURIComponent(rule.id)}`);
      rules.reload();
    } catch (e) {
      setError(e);
    }
  };
  const list = rules.data?.rules ?? [];
  return html`<section class="wide">
    <div class="page-head">
      <h2>${t('rules')}</h2>
      ${canChange && html`<button type="button" data-testid="new-rule" onClick=${() => setEditing({})}>${t('newRule')}</button>`}
    </div>
    ${editing && html`<${RuleEditor} rule=${editing.id ? editing : undefined} onSaved=${() => rules.reload()} onClose=${() => setEditing(null)} />`}
    ${rules.loading && html`<${Loading} />`} ${rules.error && html`<${ErrorNote} error=${rules.error} retry=${rules.reload} />`}
    ${error && html`<${ErrorNote} error=${error} />`} ${rules.data && !list.length && html`<${Empty}>${t('noRules')}<//>`}
    ${
      list.length > 0 &&
      html`<table id="alert-rules">
        <thead>
          <tr>
            ${['name', 'metric', 'kind', 'interval', 'breakdown', 'condition', 'cooldown', 'webhook', 'enabled'].map((k) => html`<th scope="col">${t(k)}</th>`)}
            ${canChange && html`<th scope="col"><span class="visually-hidden">${t('edit')}</span></th>`}
          </tr>
        </thead>
        <tbody>
          ${list.map(
            (r) =>
              html`<tr data-id=${r.id}>
                <td>${r.name}</td>
                <td>${r.spec.metric}</td>
                <td>${t(r.spec.kind)}</td>
                <td>${r.spec.interval}</td>
                <td>${r.spec.breakdown ?? ''}</td>
                <td>${condition(r, t, format)}</td>
                <td>${format.number(r.spec.cooldown_hours)}</td>
                <td class="url">${r.spec.webhook_url ?? ''}</td>
                <td>${r.spec.enabled ? t('yes') : t('no')}</td>
                ${
                  canChange &&
                  html`<td class="actions">
                    <button type="button" aria-label=${t('editNamed', { name: r.name })} onClick=${() => setEditing(r)}>${t('edit')}</button>
                    <button type="button" aria-label=${t('removeNamed', { name: r.name })} onClick=${remove(r)}>${t('remove')}</button>
                  </td>`
                }
              </tr>`,
          )}
        </tbody>
      </table>`
    }
  </section>`;
}

export function Alerts({ session, params }) {
  const t = useText(TEXT);
  if (params.id) return html`<${AlertSeries} id=${params.id} />`;
  return html`
    <div class="page-head"><h2 class="page-title">${t('title')}</h2></div>
    <div class="grid" data-loaded="true">
      <${FiredAlerts} t=${t} />
      <${Rules} canChange=${RULE_WRITERS.includes(session.role)} t=${t} />
    </div>
  `;
}
