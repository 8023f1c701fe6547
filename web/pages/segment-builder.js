// The audience builder: a rule tree editor over the segment DSL with a live count and masked sample, the rule's JSON
// editable both ways, saving as a segment (a new version each time) and the versions with who changed what when.
// Marketers and admins save; an analyst sees the rule and its count, read-only.
import { html, useState } from '../lib/ui.js';
import { api } from '../lib/api.js';
import { useText } from '../lib/i18n.js';
import { navigate } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';
import { ErrorNote, Loading } from '../components/states.js';
import { RuleNode } from '../components/rule-tree.js';
import { RuleJson } from '../components/rule-json.js';
import { RulePreview, usePreview } from '../components/rule-preview.js';
import { SegmentVersions } from '../components/segment-versions.js';
import { SegmentAutomation } from '../components/segment-automation.js';
import { nodeKind, removeAt, setAt } from '../components/rule-model.js';

const TEXT = {
  'zh-CN': {
    newTitle: '新建人群',
    editTitle: '编辑人群',
    viewTitle: '查看人群',
    back: '← 全部人群',
    name: '人群名称',
    rule: '条件',
    save: '保存',
    saveVersion: '保存为新版本',
    saving: '保存中…',
    saved: '已保存：版本 {version}',
    readOnly: '当前角色只能查看，不能保存。',
  },
  en: {
    newTitle: 'New audience',
    editTitle: 'Edit audience',
    viewTitle: 'Audience',
    back: '← All segments',
    name: 'Segment name',
    rule: 'Conditions',
    save: 'Save',
    saveVersion: 'Save as a new version',
    saving: 'Saving…',
    saved: 'Saved: version {version}',
    readOnly: 'Your role may look but not save.',
  },
};

const WRITERS = ['marketer', 'admin'];
const NO_CHOICES = { tags: [], cities: [], regions: [], event_properties: [] };
const emptyGroup = (rule) => ['all', 'any'].includes(nodeKind(rule)) && rule[nodeKind(rule)].length === 0;

function Editor({ session, id, segment }) {
  const t = useText(TEXT);
  const writable = WRITERS.includes(session.role);
  const [name, setName] = useState(segment?.name ?? '');
  const [rule, setRule] = useState(segment?.spec.rule ?? { all: [] });
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(undefined);
  const [saveError, setSaveError] = useState(undefined);
  const choices = useApi(() => api('GET', '/rule-choices'), []);
  const preview = usePreview(rule, !emptyGroup(rule));
  const problem = preview.status === 'invalid' ? preview.error : saveError?.status === 400 ? saveError : undefined;
  const ctx = {
    choices: choices.data ?? NO_CHOICES,
    error: problem?.field?.startsWith('body.rule') ? problem : undefined,
    change: (path, node) => setRule((r) => setAt(r, path, node)),
    remove: (path) => setRule((r) => removeAt(r, path)),
  };

  const save = async (event) => {
    event.preventDefault();
    setSaving(true);
    setSaveError(undefined);
    try {
      const answer = id
        ? await api('PUT', `/segments/${encodeURIComponent(id)}`, { body: { name, rule } })
        : await api('POST', '/segments', { body: { name, rule } });
      setSaved(answer);
      if (!id) navigate(`/segments/${answer.id}`);
    } catch (err) {
      setSaveError(err);
    } finally {
      setSaving(false);
    }
  };

  return html`<div class="builder" data-loaded="true">
    <div class="builder-main">
      <section>
        <form class="builder-name" onSubmit=${save}>
          <label for="segment-name">${t('name')}</label>
          <input id="segment-name" type="text" maxlength="200" required readonly=${!writable} value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
          ${
            writable &&
            html`<button type="submit" id="save-segment" disabled=${saving || !name.trim()}>
              ${saving ? t('saving') : id ? t('saveVersion') : t('save')}
            </button>`
          }
        </form>
        ${!writable && html`<p class="muted">${t('readOnly')}</p>`}
        ${saved && html`<p class="state saved" role="status">${t('saved', { version: saved.version })}</p>`}
        ${saveError && !ctx.error && html`<${ErrorNote} error=${saveError} />`}
      </section>
      <section>
        <h2>${t('rule')}</h2>
        <fieldset class="rule-tree" disabled=${!writable}>
          <legend class="visually-hidden">${t('rule')}</legend>
          <${RuleNode} node=${rule} path=${[]} ctx=${ctx} />
        </fieldset>
      </section>
      <${RuleJson} rule=${rule} onRule=${setRule} readOnly=${!writable} />
      ${id && html`<${SegmentAutomation} session=${session} id=${id} stamp=${saved?.version} />`}
    </div>
    <div class="builder-side">
      <${RulePreview} preview=${preview} />
      ${
        id &&
        html`<${SegmentVersions}
          id=${id}
          stamp=${saved?.version}
          onOpen=${(v) => {
            setName(v.name);
            setRule(v.spec.rule);
          }}
        />`
      }
    </div>
  </div>`;
}

/** The builder for a new segment (no `id`) or for segment `id`. */
export function SegmentBuilder({ session, id }) {
  const t = useText(TEXT);
  const writable = WRITERS.includes(session.role);
  const { data, error, loading, reload } = useApi(() => (id ? api('GET', `/segments/${encodeURIComponent(id)}`) : Promise.resolve(null)), [id]);
  const title = !id ? t('newTitle') : writable ? t('editTitle') : t('viewTitle');
  return html`<div class="page-head">
      <h2 class="page-title">${title}</h2>
      <a href="#/segments">${t('back')}</a>
    </div>
    ${loading && html`<${Loading} />`} ${error && html`<${ErrorNote} error=${error} retry=${reload} />`}
    ${!loading && !error && html`<${Editor} key=${id ?? 'new'} session=${session} id=${id} segment=${data} />`}`;
}
