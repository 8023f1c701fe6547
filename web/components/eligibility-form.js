// The eligibility options of a materialization, each off unless ticked: the weekly frequency cap (with its
// limits), the 3-7-15 new-user rule with the message kind, and the send window reported to the sending side.
// `onSubmit(eligibility)` gets the body's `eligibility` object as POST /v1/segments/:id/materialize takes it.
import { html, useState } from '../lib/ui.js';
import { useText } from '../lib/i18n.js';

const TEXT = {
  'zh-CN': {
    legend: '发送限制',
    cap: '频次控制（每周，自周一 00:00 起）',
    perWeek: '普通用户每周最多',
    vipPerWeek: 'VIP 每周最多',
    vipMinLevel: 'VIP 最低等级',
    newUser: '新用户 3-7-15 规则',
    kind: '短信类型',
    promotion: '营销（注册 15 天后）',
    service: '服务（注册 3 天后；前 7 天只发一条）',
    window: '发送时段',
    start: '开始',
    end: '结束',
    workdays: '仅工作日',
    submit: '生成人群包',
    working: '生成中…',
  },
  en: {
    legend: 'Eligibility',
    cap: 'Frequency cap (per week, from Monday 00:00)',
    perWeek: 'Per week at most',
    vipPerWeek: 'VIP per week at most',
    vipMinLevel: 'VIP from level',
    newUser: 'New-user 3-7-15 rule',
    kind: 'Message kind',
    promotion: 'Promotion (15 days after sign-up)',
    service: 'Service (after 3 days; one in the first 7)',
    window: 'Send window',
    start: 'Start',
    end: 'End',
    workdays: 'Workdays only',
    submit: 'Materialize',
    working: 'Materializing…',
  },
};

const INITIAL = {
  cap: false,
  perWeek: 2,
  vipPerWeek: 4,
  vipMinLevel: 1,
  newUser: false,
  kind: 'promotion',
  window: false,
  start: '09:00',
  end: '20:00',
  workdays: false,
};

/** The form's state as the API's eligibility object (only the options ticked). */
function eligibilityOf(f) {
  const out = {};
  if (f.cap) out.frequency_cap = { per_week: Number(f.perWeek), vip_per_week: Number(f.vipPerWeek), vip_min_level: Number(f.vipMinLevel) };
  if (f.newUser) Object.assign(out, { new_user_rule: true, message_kind: f.kind });
  if (f.window) out.send_window = { start: f.start, end: f.end, workdays_only: f.workdays };
  return out;
}

export function EligibilityForm({ onSubmit, busy }) {
  const t = useText(TEXT);
  const [f, setF] = useState(INITIAL);
  const set = (name) => (e) => {
    const el = e.currentTarget;
    setF((s) => ({ ...s, [name]: el.type === 'checkbox' ? el.checked : el.value }));
  };
  const number = (name, max) =>
    html`<label>${t(name)} <input type="number" name=${name} min="0" max=${max} required value=${f[name]} disabled=${!f.cap} onInput=${set(name)} /></label>`;
  const submit = (e) => {
    e.preventDefault();
    onSubmit(eligibilityOf(f));
  };
  return html`<form class="eligibility" onSubmit=${submit}>
    <fieldset>
      <legend>${t('legend')}</legend>
      <div class="option">
        <label><input type="checkbox" name="cap" checked=${f.cap} onChange=${set('cap')} /> ${t('cap')}</label>
        ${number('perWeek', 100)} ${number('vipPerWeek', 100)} ${number('vipMinLevel', 9)}
      </div>
      <div class="option">
        <label><input type="checkbox" name="newUser" checked=${f.newUser} onChange=${set('newUser')} /> ${t('newUser')}</label>
        <label
          >${t('kind')}
          <select name="kind" value=${f.kind} disabled=${!f.newUser} onChange=${set('kind')}>
            <option value="promotion">${t('promotion')}</option>
            <option value="service">${t('service')}</option>
          </select></label
        >
      </div>
      <div class="option">
        <label><input type="checkbox" name="window" checked=${f.window} onChange=${set('window')} /> ${t('window')}</label>
        <label>${t('start')} <input type="time" name="start" required value=${f.start} disabled=${!f.window} onInput=${set('start')} /></label>
        <label>${t('end')} <input type="time" name="end" required value=${f.end} disabled=${!f.window} onInput=${set('end')} /></label>
        <label><input type="checkbox" name="workdays" checked=${f.workdays} disabled=${!f.window} onChange=${set('workdays')} /> ${t('workdays')}</label>
      </div>
    </fieldset>
    <button type="submit" id="materialize" disabled=${busy}>${busy ? t('working') : t('submit')}</button>
  </form>`;
}
