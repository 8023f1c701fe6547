// Importing a TXT, CSV or XLSX file of contacts: the file is sent as it is (the server detects the format), with
// a progress bar while it uploads and a busy state while the server reads and merges it; then the report.
import { html, useState } from '../lib/ui.js';
import { uploadFile } from '../lib/api-files.js';
import { useFormat, useText } from '../lib/i18n.js';
import { ErrorNote } from './states.js';

const TEXT = {
  'zh-CN': {
    legend: '导入联系人或号码包',
    hint: 'TXT（每行一个号码）、CSV 或 XLSX（第一行为表头，如 手机号、姓名、城市）。最多 500,000 行；文件有误时不会导入任何内容。',
    file: '文件',
    tag: '给每个导入的联系人打标签（可选）',
    submit: '导入',
    uploading: '上传中',
    processing: '正在读取并合并…',
    report: '导入报告',
    rows: '数据行',
    imported: '新联系人',
    updated: '已更新',
    duplicates: '重复行',
    invalid: '无效行',
    line: '行号',
    reason: '原因',
    more: '另有 {n} 行未列出。',
  },
  en: {
    legend: 'Import contacts or a number list',
    hint: 'TXT (one number a line), CSV or XLSX (a header row such as phone, name, city). Up to 500,000 rows; a faulty file imports nothing.',
    file: 'File',
    tag: 'Tag every imported contact (optional)',
    submit: 'Import',
    uploading: 'Uploading',
    processing: 'Reading and merging…',
    report: 'Import report',
    rows: 'Rows',
    imported: 'New contacts',
    updated: 'Updated',
    duplicates: 'Duplicates',
    invalid: 'Invalid lines',
    line: 'Line',
    reason: 'Reason',
    more: '{n} more not listed.',
  },
};

const SHOWN_INVALID = 50;

function Report({ report, t, format }) {
  const shown = report.invalid.lines.slice(0, SHOWN_INVALID);
  return html`<div id="import-report">
    <h3>${t('report')}</h3>
    <dl class="counts">
      ${['rows', 'imported', 'updated', 'duplicates'].map(
        (k) =>
          html`<div>
            <dt>${t(k)}</dt>
            <dd data-count=${k}>${format.number(report[k])}</dd>
          </div>`,
      )}
      <div>
        <dt>${t('invalid')}</dt>
        <dd data-count="invalid">${format.number(report.invalid.count)}</dd>
      </div>
    </dl>
    ${
      shown.length > 0 &&
      html`<table id="invalid-lines">
        <thead>
          <tr>
            <th scope="col">${t('line')}</th>
            <th scope="col">${t('reason')}</th>
          </tr>
        </thead>
        <tbody>
          ${shown.map(
            (l) =>
              html`<tr>
                <td>${l.line}</td>
                <td>${l.reason}</td>
              </tr>`,
          )}
        </tbody>
      </table>`
    }
    ${report.invalid.count > shown.length && html`<p class="hint">${t('more', { n: format.number(report.invalid.count - shown.length) })}</p>`}
  </div>`;
}

export function ContactImport() {
  const t = useText(TEXT);
  const format = useFormat();
  const [file, setFile] = useState(null);
  const [tag, setTag] = useState('');
  const [state, setState] = useState({});
  const submit = async (e) => {
    e.preventDefault();
    setState({ progress: 0 });
    try {
      const report = await uploadFile('/contacts/import', file, {
        query: { tag: tag.trim() },
        onProgress: (progress) => setState({ progress }),
      });
      setState({ report });
    } catch (error) {
      setState({ error });
    }
  };
  const busy = state.progress !== undefined;
  return html`<form class="import" onSubmit=${submit}>
    <fieldset>
      <legend>${t('legend')}</legend>
      <p class="hint">${t('hint')}</p>
      <label
        >${t('file')}
        <input type="file" id="import-file" accept=".txt,.csv,.xlsx,text/plain,text/csv" required onChange=${(e) => setFile(e.currentTarget.files[0] ?? null)}
      /></label>
      <label>${t('tag')} <input type="text" name="tag" maxlength="64" value=${tag} onInput=${(e) => setTag(e.currentTarget.value)} /></label>
    </fieldset>
    <button type="submit" id="import" disabled=${busy || !file}>${t('submit')}</button>
    ${
      busy &&
      html`<div class="progress" role="status">
        <progress max="1" value=${state.progress} aria-label=${t('uploading')}></progress>
        ${state.progress < 1 ? `${t('uploading')} ${format.percent(state.progress)}` : t('processing')}
      </div>`
    }
    ${state.report && html`<${Report} report=${state.report} t=${t} format=${format} />`} ${state.error && html`<${ErrorNote} error=${state.error} />`}
  </form>`;
}
