// Contacts: look one up by user id (or by phone number, for roles that see numbers), and see the profile, tags,
// suppression state and newest events; import a TXT/CSV/XLSX file (roles that may write contacts).
import { html, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useFormat, useText } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { Empty, ErrorNote, Loading } from '../components/states.js';
import { ContactImport } from '../components/contact-import.js';

const TEXT = {
  'zh-CN': {
    title: '联系人',
    lookup: '查找联系人',
    by: '查找方式',
    byUser: '用户 ID',
    byPhone: '手机号',
    value: '用户 ID 或手机号',
    find: '查找',
    start: '输入用户 ID（有权限的角色也可输入手机号）查看联系人的资料、标签、屏蔽状态和最近的事件。',
    notFound: '没有找到这个联系人。请检查拼写，或先导入联系人。',
    profile: '资料',
    tags: '标签',
    noTags: '没有标签',
    suppression: '屏蔽状态',
    suppressed: '已屏蔽：不会进入任何人群包',
    notSuppressed: '未屏蔽',
    timeline: '最近 {days} 天的事件',
    noEvents: '这段时间没有事件。',
    time: '时间',
    type: '类型',
    campaign: '活动',
    channel: '通道',
    carrier: '运营商',
    status: '状态',
    revenue: '收入',
    reason: '原因',
    source: '来源',
    since: '时间',
    unsubscribe: '退订',
    complaint: '投诉',
    blacklist: '黑名单',
    invalid: '无效号码',
  },
  en: {
    title: 'Contacts',
    lookup: 'Look up a contact',
    by: 'Look up by',
    byUser: 'User id',
    byPhone: 'Phone number',
    value: 'User id or phone number',
    find: 'Find',
    start: "Type a user id (or, for roles that see numbers, a phone number) to see the contact's profile, tags, suppression state and newest events.",
    notFound: 'No such contact. Check the spelling, or import contacts first.',
    profile: 'Profile',
    tags: 'Tags',
    noTags: 'No tags',
    suppression: 'Suppression',
    suppressed: 'Suppressed: left out of every audience',
    notSuppressed: 'Not suppressed',
    timeline: 'Events of the last {days} days',
    noEvents: 'No events in this period.',
    time: 'Time',
    type: 'Type',
    campaign: 'Campaign',
    channel: 'Channel',
    carrier: 'Carrier',
    status: 'Status',
    revenue: 'Revenue',
    reason: 'Reason',
    source: 'Source',
    since: 'Since',
    unsubscribe: 'unsubscribed',
    complaint: 'complained',
    blacklist: 'blacklisted',
    invalid: 'invalid number',
  },
};

const PROFILE_FIELDS = ['user_id', 'phone', 'name', 'gender', 'birthday', 'city', 'region', 'signup_at', 'vip_level', 'consent', 'consent_at', 'updated_at'];
const SEES_PHONES = ['admin', 'marketer', 'sender'];
const IMPORTERS = ['admin', 'marketer'];
const DAYS = 90;

async function loadContact({ by, value }) {
  const contact = await api('GET', by === 'phone' ? `/contacts/by-phone/${encodeURIComponent(value)}` : `/contacts/${encodeURIComponent(value)}`);
  // A role that sees no numbers gets a phone-like user id masked: it asks with the id it typed.
  const userId = by === 'phone' ? contact.user_id : value;
  const activity = await api('GET', `/contacts/${encodeURIComponent(userId)}/activity`, { query: { days: DAYS, limit: 100 } });
  return { contact, activity };
}

const shown = (value) => (value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));

function Profile({ contact, format }) {
  const attributes = Object.entries(contact.attributes ?? {});
  return html`<table id="profile" class="key-values">
    <tbody>
      ${PROFILE_FIELDS.map(
        (f) =>
          html`<tr>
            <th scope="row">${f}</th>
            <td data-field=${f}>${f.endsWith('_at') ? (contact[f] ? format.dateTime(contact[f]) : '') : shown(contact[f])}</td>
          </tr>`,
      )}
      ${attributes.map(
        ([k, v]) =>
          html`<tr>
            <th scope="row">${`attributes.${k}`}</th>
            <td>${shown(v)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function Found({ data, t, format }) {
  const { contact, activity } = data;
  return html`<div class="grid" data-loaded="true">
    <section>
      <h3>${t('profile')}</h3>
      <${Profile} contact=${contact} format=${format} />
    </section>
    <section>
      <h3>${t('tags')}</h3>
      ${
        contact.tags.length
          ? html`<ul id="tags" class="tags">
              ${contact.tags.map((tag) => html`<li>${tag.value ? `${tag.tag}=${tag.value}` : tag.tag}</li>`)}
            </ul>`
          : html`<p class="hint">${t('noTags')}</p>`
      }
      <h3>${t('suppression')}</h3>
      <p id="suppression" class=${activity.suppressed ? 'suppressed' : ''}>${activity.suppressed ? t('suppressed') : t('notSuppressed')}</p>
      ${
        activity.suppressions.length > 0 &&
        html`<table id="suppressions">
          <thead>
            <tr>
              <th scope="col">${t('reason')}</th>
              <th scope="col">${t('source')}</th>
              <th scope="col">${t('since')}</th>
            </tr>
          </thead>
          <tbody>
            ${activity.suppressions.map(
              (s) =>
                html`<tr>
                  <td>${t(s.reason)}</td>
                  <td>${s.source}</td>
                  <td>${format.dateTime(s.created_at)}</td>
                </tr>`,
            )}
          </tbody>
        </table>`
      }
    </section>
    <section class="wide">
      <h3>${t('timeline', { days: DAYS })}</h3>
      ${
        activity.events.length
          ? html`<table id="timeline">
              <thead>
                <tr>
                  ${['time', 'type', 'campaign', 'channel', 'carrier', 'status', 'revenue'].map((k) => html`<th scope="col">${t(k)}</th>`)}
                </tr>
              </thead>
              <tbody>
                ${activity.events.map(
                  (e) =>
                    html`<tr>
                      <td>${format.dateTime(e.ts)}</td>
                      <td>${e.type}</td>
                      <td>${e.campaign_id}</td>
                      <td>${e.channel}</td>
                      <td>${e.carrier}</td>
                      <td>${e.status}</td>
                      <td class="num">${e.type === 'conversion' ? format.number(e.revenue) : ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : html`<${Empty}>${t('noEvents')}<//>`
      }
    </section>
  </div>`;
}

function Lookup({ seesPhones, t, format }) {
  const [by, setBy] = useState('user');
  const [value, setValue] = useState('');
  const [asked, setAsked] = useState(null);
  const { data, error, loading } = useApi(() => (asked ? loadContact(asked) : Promise.resolve(null)), [asked]);
  const submit = (e) => {
    e.preventDefault();
    if (value.trim()) setAsked({ by, value: value.trim() });
  };
  return html`
    <form class="lookup" onSubmit=${submit} role="search">
      ${
        seesPhones &&
        html`<label
          >${t('by')}
          <select name="by" value=${by} onChange=${(e) => setBy(e.currentTarget.value)}>
            <option value="user">${t('byUser')}</option>
            <option value="phone">${t('byPhone')}</option>
          </select></label
        >`
      }
      <label
        >${t(by === 'phone' ? 'byPhone' : 'byUser')}
        <input type="search" id="lookup-value" maxlength="128" value=${value} onInput=${(e) => setValue(e.currentTarget.value)}
      /></label>
      <button type="submit" id="lookup" disabled=${!value.trim()}>${t('find')}</button>
    </form>
    ${!asked && html`<${Empty}>${t('start')}<//>`} ${asked && loading && html`<${Loading} />`}
    ${error && (error.status === 404 ? html`<${Empty}>${t('notFound')}<//>` : html`<${ErrorNote} error=${error} />`)}
    ${data && !loading && html`<${Found} data=${data} t=${t} format=${format} />`}
  `;
}

export function Contacts({ session }) {
  const t = useText(TEXT);
  const format = useFormat();
  return html`<div class="workbench-page">
    <div class="page-head"><h2 class="page-title">${t('title')}</h2></div>
    <section class="lookup-section">
      <h3>${t('lookup')}</h3>
      <${Lookup} seesPhones=${SEES_PHONES.includes(session.role)} t=${t} format=${format} />
    </section>
    ${IMPORTERS.includes(session.role) && html`<section class="import-section"><${ContactImport} /></section>`}
  </div>`;
}
