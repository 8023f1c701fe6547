// The live count and masked sample of a rule: asked of POST /v1/segments/preview ~400 ms after the rule stops
// changing; a newer rule aborts the request in flight and an answer for an older rule is dropped.
import { html, useEffect, useRef, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useFormat, useText } from '../lib/i18n.js';
import { Empty, ErrorNote } from './states.js';

const TEXT = {
  'zh-CN': {
    title: '实时人数',
    matches: '符合条件的用户',
    counting: '计算中…',
    invalid: '规则还不完整，请修改标出的条件。',
    nothing: '添加一个条件即可看到符合的人数。',
    sample: '样例用户（手机号按角色脱敏）',
    noSample: '没有符合条件的用户。',
    user_id: '用户 ID',
    phone: '手机号',
    name: '姓名',
    city: '城市',
    region: '地区',
    vip_level: 'VIP',
  },
  en: {
    title: 'Live count',
    matches: 'contacts match',
    counting: 'Counting…',
    invalid: 'The rule is not complete yet: fix the condition marked in red.',
    nothing: 'Add a condition to see how many contacts match.',
    sample: 'Sample contacts (phones masked for your role)',
    noSample: 'No contact matches.',
    user_id: 'User id',
    phone: 'Phone',
    name: 'Name',
    city: 'City',
    region: 'Region',
    vip_level: 'VIP',
  },
};
const DEBOUNCE_MS = 400;
const COLUMNS = ['user_id', 'phone', 'name', 'city', 'region', 'vip_level'];

/**
 * {status: idle|loading|ready|invalid|failed, ruleText, answer?, error?} for `rule` (JSON text compared, so an
 * equal tree is not asked twice); `enabled` false skips asking (an empty rule).
 */
export function usePreview(rule, enabled) {
  const ruleText = JSON.stringify(rule);
  const [state, setState] = useState({ status: 'idle', ruleText: '' });
  const ticket = useRef(0);
  useEffect(() => {
    const mine = ++ticket.current;
    if (!enabled) {
      setState({ status: 'idle', ruleText });
      return undefined;
    }
    setState((s) => ({ ...s, status: 'loading', ruleText }));
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api('POST', '/segments/preview', { body: { rule, sample: 10 }, signal: abort.signal }).then(
        (answer) => mine === ticket.current && setState({ status: 'ready', ruleText, answer }),
        (error) => {
          if (mine !== ticket.current || error.name === 'AbortError') return;
          setState({ status: error.status === 400 ? 'invalid' : 'failed', ruleText, error });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [ruleText, enabled]);
  return state;
}

/** The count and sample for a preview state. */
export function RulePreview({ preview }) {
  const t = useText(TEXT);
  const format = useFormat();
  const { status, answer } = preview;
  let body;
  if (status === 'idle') body = html`<${Empty}>${t('nothing')}<//>`;
  else if (status === 'invalid') body = html`<p class="state error">${t('invalid')}</p>`;
  else if (status === 'failed') body = html`<${ErrorNote} error=${preview.error} />`;
  else
    body = html`<p class="preview-count">
        <strong id="preview-count" data-count=${answer?.count}>${answer ? format.number(answer.count) : '–'}</strong> ${t('matches')}
        ${status === 'loading' && html`<span class="muted"> · ${t('counting')}</span>`}
      </p>
      ${
        answer &&
        (answer.sample.length
          ? html`<table class="preview-sample">
              <caption>
                ${t('sample')}
              </caption>
              <thead>
                <tr>
                  ${COLUMNS.map((c) => html`<th scope="col">${t(c)}</th>`)}
                </tr>
              </thead>
              <tbody>
                ${answer.sample.map(
                  (row) =>
                    html`<tr>
                      ${COLUMNS.map((c) => html`<td>${row[c] ?? ''}</td>`)}
                    </tr>`,
                )}
              </tbody>
            </table>`
          : html`<${Empty}>${t('noSample')}<//>`)
      }`;
  return html`<section class="rule-preview" aria-live="polite" id="preview" data-status=${status} data-rule=${preview.ruleText}>
    <h2>${t('title')}</h2>
    ${body}
  </section>`;
}
