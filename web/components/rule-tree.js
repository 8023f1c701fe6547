// The rule tree editor: groups (all / any / not) that can be added, removed and nested, holding leaves edited by
// rule-leaves.js. A problem the API found (its `field` names a JSON path) is shown beside the node it names.
import { html, useState } from '../lib/ui.js';
import { useText } from '../lib/i18n.js';
import { LEAF_EDITORS } from './rule-leaves.js';
import { GROUP_MODES, LEAF_KINDS, newLeaf, nodeKind, pathText, withMode } from './rule-model.js';

const TEXT = {
  'zh-CN': {
    mode: '组合方式',
    modes: { all: '满足全部条件（且）', any: '满足任一条件（或）', not: '排除（不满足）' },
    kinds: { attr: '用户属性', tag: '标签', event: '行为', rfm: 'RFM', cluster: '聚类', lifecycle: '生命周期', unknown: '无法识别的条件' },
    kind: '条件类型',
    addCondition: '添加条件',
    addGroup: '添加条件组',
    remove: '删除',
    group: '条件组',
    condition: '条件',
    emptyGroup: '此组还没有条件：在下方添加。',
  },
  en: {
    mode: 'Combine',
    modes: { all: 'All of (and)', any: 'Any of (or)', not: 'Not (exclude)' },
    kinds: {
      attr: 'Attribute',
      tag: 'Tag',
      event: 'Behaviour',
      rfm: 'RFM',
      cluster: 'Cluster',
      lifecycle: 'Lifecycle stage',
      unknown: 'Unrecognised condition',
    },
    kind: 'Condition type',
    addCondition: 'Add condition',
    addGroup: 'Add group',
    remove: 'Remove',
    group: 'Group',
    condition: 'Condition',
    emptyGroup: 'No conditions in this group yet: add one below.',
  },
};

/** Whether the API's error field (body.rule.all[0].op) lies at or under the node at `path`. */
function under(field, path) {
  if (!field) return false;
  const p = `body.${pathText(path)}`;
  return field === p || field.startsWith(`${p}.`) || field.startsWith(`${p}[`);
}

function Problem({ error }) {
  return html`<p class="rule-problem" role="alert"><code>${error.field.replace(/^body\./, '')}</code> ${error.message}</p>`;
}

function AddControls({ onAdd, label }) {
  const t = useText(TEXT);
  const [kind, setKind] = useState('attr');
  const kinds = t('kinds');
  return html`<div class="rule-add">
    <select aria-label=${`${label}: ${t('kind')}`} value=${kind} onChange=${(e) => setKind(e.currentTarget.value)}>
      ${LEAF_KINDS.map((k) => html`<option value=${k}>${kinds[k]}</option>`)}
    </select>
    <button type="button" class="add-condition" onClick=${() => onAdd(kind)}>+ ${t('addCondition')}</button>
    <button type="button" class="add-group" onClick=${() => onAdd('group')}>+ ${t('addGroup')}</button>
  </div>`;
}

function RemoveButton({ what, onRemove }) {
  const t = useText(TEXT);
  return html`<button type="button" class="icon remove" aria-label=${`${t('remove')} ${what}`} title=${t('remove')} onClick=${onRemove}>×</button>`;
}

function Group({ node, path, mode, ctx }) {
  const t = useText(TEXT);
  const modes = t('modes');
  const children = mode === 'not' ? (node.not === null ? [] : [node.not]) : node[mode];
  const childPath = (i) => (mode === 'not' ? [...path, 'not'] : [...path, mode, i]);
  const childClaims = children.some((_, i) => under(ctx.error?.field, childPath(i)));
  const label = `${t('group')} ${pathText(path)}`;
  const add = (kind) => {
    const child = kind === 'group' ? { all: [] } : newLeaf(kind, ctx.choices);
    ctx.change(path, mode === 'not' ? { not: child } : { [mode]: [...children, child] });
  };
  return html`<div class="rule-group" role="group" aria-label=${label} data-path=${pathText(path)}>
    <div class="rule-head">
      <select aria-label=${`${label}: ${t('mode')}`} class="rule-mode" value=${mode} onChange=${(e) => ctx.change(path, withMode(node, e.currentTarget.value))}>
        ${GROUP_MODES.map((m) => html`<option value=${m}>${modes[m]}</option>`)}
      </select>
      ${path.length > 0 && html`<${RemoveButton} what=${label} onRemove=${() => ctx.remove(path)} />`}
    </div>
    ${under(ctx.error?.field, path) && !childClaims && html`<${Problem} error=${ctx.error} />`}
    ${children.length === 0 && html`<p class="rule-empty">${t('emptyGroup')}</p>`}
    <ol class="rule-children">
      ${children.map((child, i) => html`<li><${RuleNode} node=${child} path=${childPath(i)} ctx=${ctx} /></li>`)}
    </ol>
    ${(mode !== 'not' || children.length === 0) && html`<${AddControls} label=${label} onAdd=${add} />`}
  </div>`;
}

/** One node of the rule at `path`; `ctx` carries {choices, error, change(path, node), remove(path)}. */
export function RuleNode({ node, path, ctx }) {
  const t = useText(TEXT);
  const kind = nodeKind(node);
  if (GROUP_MODES.includes(kind)) return html`<${Group} node=${node} path=${path} mode=${kind} ctx=${ctx} />`;
  const kinds = t('kinds');
  const Editor = LEAF_EDITORS[kind];
  const label = `${t('condition')} ${pathText(path)}`;
  return html`<div class="rule-leaf" role="group" aria-label=${label} data-path=${pathText(path)} data-kind=${kind}>
    <span class="rule-kind">${kinds[kind]}</span>
    ${Editor ? html`<${Editor} node=${node} path=${pathText(path)} choices=${ctx.choices} onChange=${(next) => ctx.change(path, next)} />` : html`<code>${JSON.stringify(node)}</code>`}
    ${path.length > 0 && html`<${RemoveButton} what=${label} onRemove=${() => ctx.remove(path)} />`}
    ${under(ctx.error?.field, path) && html`<${Problem} error=${ctx.error} />`}
  </div>`;
}
