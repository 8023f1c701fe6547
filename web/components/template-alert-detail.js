// What a template_delivery_drop alert says about its template: the delivery rate against the template's own baseline,
// the bucket's most frequent error codes, and the copy checks' findings on the template's text (in the user's
// language). Every stored value (template name, codes, messages) is rendered as text.
import { html, useContext } from '../lib/ui.js';
import { LocaleContext, useFormat, useText } from '../lib/i18n.js';

const TEXT = {
  'zh-CN': {
    fell: '模板“{name}”的到达率从 {from} 降到 {to}（本时间段 {sends} 条发送，基线 {baselineSends} 条）',
    unregistered: '模板库中没有此模板 ID（{id}）',
    codes: '主要错误码',
    noCode: '（无错误码）',
    noCodes: '没有失败回执的错误码。',
    findings: '文案检查结果',
    noFindings: '模板不在模板库中，无法检查文案。在“模板”中保存它后可看到检查结果。',
    error: '错误',
    warning: '警告',
    info: '提示',
  },
  en: {
    fell: 'Delivery on template “{name}” fell from {from} to {to} ({sends} sends in the bucket, {baselineSends} in the baseline)',
    unregistered: 'The template registry has no template with id {id}',
    codes: 'Top error codes',
    noCode: '(no code)',
    noCodes: 'No error codes on failed receipts.',
    findings: 'Copy check findings',
    noFindings: 'The template is not in the registry, so its copy cannot be checked. Save it under Templates to see findings.',
    error: 'Error',
    warning: 'Warning',
    info: 'Info',
  },
};

export function TemplateAlertDetail({ template }) {
  const t = useText(TEXT);
  const format = useFormat();
  const { locale } = useContext(LocaleContext);
  const name = template.name ?? template.id;
  return html`<div class="template-alert" data-template=${template.id}>
    <p class="template-drop">
      ${t('fell', {
        name,
        from: format.percent(template.baseline_rate),
        to: format.percent(template.delivery_rate),
        sends: format.number(template.sends),
        baselineSends: format.number(template.baseline_sends),
      })}
    </p>
    ${!template.in_registry && html`<p class="state empty">${t('unregistered', { id: template.id })}</p>`}
    <h4>${t('codes')}</h4>
    ${
      template.top_error_codes.length
        ? html`<ul class="error-codes">
            ${template.top_error_codes.map(
              (c) => html`<li data-code=${c.code}><code>${c.code || t('noCode')}</code> ${format.number(c.count)} (${format.percent(c.share)})</li>`,
            )}
          </ul>`
        : html`<p class="state empty">${t('noCodes')}</p>`
    }
    <h4>${t('findings')}</h4>
    ${
      template.findings.length
        ? html`<ul class="findings">
            ${template.findings.map(
              (f) =>
                html`<li data-code=${f.code} class=${`finding ${f.severity}`}>
                  <span class="severity">${t(f.severity)}</span> <code>${f.code}</code> ${locale === 'en' ? f.message_en : f.message_zh}
                </li>`,
            )}
          </ul>`
        : html`<p class="state empty">${t('noFindings')}</p>`
    }
  </div>`;
}
