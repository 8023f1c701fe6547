// Downloading an audience snapshot: version, format (CSV or NDJSON) and fields chosen here. Every page of the export
// is fetched in turn (following X-Next-Cursor, 100,000 rows a page) and joined into one file in the browser, which is
// then saved under a name that says which audience and version it holds.
import { html, useState } from '../lib/ui.js';
import { downloadPages } from '../lib/api-files.js';
import { useText } from '../lib/i18n.js';
import { ErrorNote } from './states.js';

const TEXT = {
  'zh-CN': {
    legend: '导出',
    version: '版本',
    format: '格式',
    fields: '字段',
    download: '下载',
    downloading: '下载中（第 {page} 页）…',
    done: '已下载 {file}',
    noFields: '至少选择一个字段。',
  },
  en: {
    legend: 'Export',
    version: 'Version',
    format: 'Format',
    fields: 'Fields',
    download: 'Download',
    downloading: 'Downloading (page {page})…',
    done: 'Downloaded {file}',
    noFields: 'Choose at least one field.',
  },
};

/** The fields an export may carry (GET /v1/audiences/:id/export `fields`). */
const FIELDS = ['user_id', 'phone', 'name', 'gender', 'birthday', 'city', 'region', 'vip_level', 'attributes'];
const TYPES = { csv: 'text/csv;charset=utf-8', ndjson: 'application/x-ndjson' };
const PAGE_ROWS = 100_000;

/** Saves `parts` as a file named `name` (an object URL, released once the download started). */
function save(parts, name, type) {
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function AudienceExport({ audienceId, versions }) {
  const t = useText(TEXT);
  const [version, setVersion] = useState(versions.at(-1)?.version);
  const [formatName, setFormatName] = useState('csv');
  const [fields, setFields] = useState(['user_id', 'phone']);
  const [state, setState] = useState({});
  const chosen = versions.some((v) => v.version === Number(version)) ? Number(version) : versions.at(-1)?.version;
  const toggle = (field) => (e) => {
    const on = e.currentTarget.checked;
    setFields((fs) => FIELDS.filter((f) => (f === field ? on : fs.includes(f))));
  };
  const download = async (e) => {
    e.preventDefault();
    const file = `audience-${audienceId}-v${chosen}.${formatName}`;
    setState({ page: 1 });
    try {
      const query = { format: formatName, fields: fields.join(','), version: chosen, limit: PAGE_ROWS };
      const parts = await downloadPages(`/audiences/${encodeURIComponent(audienceId)}/export`, query, {
        csv: formatName === 'csv',
        onPage: (page) => setState({ page: page + 1 }),
      });
      save(parts, file, TYPES[formatName]);
      setState({ done: file });
    } catch (error) {
      setState({ error });
    }
  };
  const busy = state.page !== undefined;
  return html`<form class="export" onSubmit=${download}>
    <fieldset>
      <legend>${t('legend')}</legend>
      <label
        >${t('version')}
        <select name="version" value=${chosen} onChange=${(e) => setVersion(e.currentTarget.value)}>
          ${versions.map((v) => html`<option value=${v.version}>${v.version}</option>`)}
        </select></label
      >
      <label
        >${t('format')}
        <select name="format" value=${formatName} onChange=${(e) => setFormatName(e.currentTarget.value)}>
          <option value="csv">CSV</option>
          <option value="ndjson">NDJSON</option>
        </select></label
      >
      <div role="group" aria-label=${t('fields')} class="fields">
        ${t('fields')}:
        ${FIELDS.map((f) => html`<label><input type="checkbox" name="field" value=${f} checked=${fields.includes(f)} onChange=${toggle(f)} /> ${f}</label>`)}
      </div>
    </fieldset>
    <button type="submit" id="download" disabled=${busy || !fields.length || !chosen}>${busy ? t('downloading', { page: state.page }) : t('download')}</button>
    ${!fields.length && html`<span class="hint">${t('noFields')}</span>`}
    ${state.done && html`<span role="status" class="hint">${t('done', { file: state.done })}</span>`}
    ${state.error && html`<${ErrorNote} error=${state.error} />`}
  </form>`;
}
