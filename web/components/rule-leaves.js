// The editors of a rule's leaves: attribute, tag, behaviour (event with filters, window and count), RFM, cluster,
// lifecycle stage.
// Each gets its node and returns a new one through onChange; pickers are fed from GET /v1/rule-choices.
import { html } from '../lib/ui.js';
import { useText } from '../lib/i18n.js';
import { Comparison, comparisonParts } from './rule-comparison.js';
import {
  ATTRIBUTES,
  COUNT_OPS,
  EVENT_COLUMNS,
  EVENT_TYPES,
  LIFECYCLE_STAGES,
  RFM_SEGMENTS,
  STRING_OPS,
  NUMBER_OPS,
  attributeKind,
  lifecycleLeaf,
  lifecycleStagesOf,
  listText,
  opsForKind,
  parseList,
} from './rule-model.js';

const TEXT = {
  'zh-CN': {
    attribute: '属性',
    freeAttribute: '自定义属性名',
    custom: '自定义属性…',
    tag: '标签',
    tagValue: '标签值（可留空）',
    event: '行为',
    withinDays: '最近天数（留空为全部）',
    count: '次数',
    countAny: '至少一次',
    countValue: '次数值',
    filter: '事件条件',
    property: '字段或属性名',
    addFilter: '添加事件条件',
    removeFilter: '删除事件条件',
    rfmMode: 'RFM 方式',
    rfmSegment: 'RFM 分群',
    rfmScores: 'RFM 评分',
    score: { r: '最近购买 R', f: '频次 F', m: '金额 M' },
    unused: '不限',
    scoreValue: '评分（1–5，多个用逗号分隔）',
    model: '聚类模型 ID',
    clusters: '聚类编号（用逗号分隔）',
    stages: { new: '新客', churned: '流失', dormant: '沉睡', loyal: '忠实', repeat: '复购', active: '活跃' },
    types: { send: '发送', delivery: '送达', click: '点击', conversion: '转化', unsubscribe: '退订', reply: '回复', complaint: '投诉', exposure: '实验曝光' },
    attributes: {
      user_id: '用户 ID',
      phone: '手机号',
      name: '姓名',
      gender: '性别',
      city: '城市',
      region: '省份/地区',
      consent: '营销同意',
      vip_level: 'VIP 等级',
      birthday: '生日',
      signup_at: '注册时间',
    },
    segments: {
      champions: '冠军用户',
      loyal: '忠诚用户',
      potential_loyalists: '潜在忠诚',
      new: '新用户',
      promising: '有潜力',
      need_attention: '需要关注',
      about_to_sleep: '即将沉睡',
      at_risk: '流失风险',
      cannot_lose: '不能失去',
      hibernating: '休眠',
      lost: '已流失',
    },
    countOps: { gte: '至少', gt: '多于', eq: '恰好', neq: '不等于', lt: '少于', lte: '至多' },
  },
  en: {
    attribute: 'Attribute',
    freeAttribute: 'Custom attribute name',
    custom: 'Custom attribute…',
    tag: 'Tag',
    tagValue: 'Tag value (optional)',
    event: 'Behaviour',
    withinDays: 'Within days (empty: ever)',
    count: 'Times',
    countAny: 'at least once',
    countValue: 'Number of times',
    filter: 'Event condition',
    property: 'Column or property',
    addFilter: 'Add event condition',
    removeFilter: 'Remove event condition',
    rfmMode: 'RFM by',
    rfmSegment: 'RFM segment',
    rfmScores: 'RFM scores',
    score: { r: 'Recency R', f: 'Frequency F', m: 'Monetary M' },
    unused: 'any',
    scoreValue: 'Score (1–5, comma separated for several)',
    model: 'Cluster model id',
    clusters: 'Cluster numbers (comma separated)',
    stages: { new: 'New', churned: 'Churned', dormant: 'Dormant', loyal: 'Loyal', repeat: 'Repeat', active: 'Active' },
    types: {
      send: 'send',
      delivery: 'delivery',
      click: 'click',
      conversion: 'conversion',
      unsubscribe: 'unsubscribe',
      reply: 'reply',
      complaint: 'complaint',
      exposure: 'exposure',
    },
    attributes: {
      user_id: 'User id',
      phone: 'Phone',
      name: 'Name',
      gender: 'Gender',
      city: 'City',
      region: 'Region',
      consent: 'Consent',
      vip_level: 'VIP level',
      birthday: 'Birthday',
      signup_at: 'Signed up',
    },
    segments: {
      champions: 'Champions',
      loyal: 'Loyal',
      potential_loyalists: 'Potential loyalists',
      new: 'New',
      promising: 'Promising',
      need_attention: 'Need attention',
      about_to_sleep: 'About to sleep',
      at_risk: 'At risk',
      cannot_lose: 'Cannot lose',
      hibernating: 'Hibernating',
      lost: 'Lost',
    },
    countOps: { gte: 'at least', gt: 'more than', eq: 'exactly', neq: 'not', lt: 'fewer than', lte: 'at most' },
  },
};

/** A datalist id safe to use in the page, from a node's path text. */
const listId = (path, what) => `${what}-${path.replace(/[^A-Za-z0-9]/g, '-')}`;
const Suggestions = ({ id, values }) => html`<datalist id=${id}>${values.map((v) => html`<option value=${v}></option>`)}</datalist>`;

function AttrLeaf({ node, onChange, choices, path }) {
  const t = useText(TEXT);
  const names = t('attributes');
  const free = node.attr.startsWith('attributes.');
  const kind = attributeKind(node.attr);
  const suggestions = node.attr === 'city' ? choices.cities : node.attr === 'region' ? choices.regions : [];
  const id = listId(path, 'values');
  return html`<select
      aria-label=${t('attribute')}
      value=${free ? 'attributes.' : node.attr}
      onChange=${(e) => {
        const attr = e.currentTarget.value;
        const ops = opsForKind(attributeKind(attr));
        onChange({ attr, op: ops[0], ...(ops[0] === 'within_days' ? { value: 30 } : { value: '' }) });
      }}
    >
      ${Object.keys(ATTRIBUTES).map((a) => html`<option value=${a}>${names[a]}</option>`)}
      <option value="attributes.">${t('custom')}</option>
    </select>
    ${free && html`<input type="text" class="short" aria-label=${t('freeAttribute')} value=${node.attr.slice('attributes.'.length)} onInput=${(e) => onChange({ ...node, attr: `attributes.${e.currentTarget.value}` })} />`}
    <${Comparison}
      op=${node.op}
      value=${node.value}
      ops=${opsForKind(kind)}
      kind=${kind}
      numericOps=${free}
      list=${suggestions.length ? id : undefined}
      label=${free ? node.attr : (names[node.attr] ?? node.attr)}
      onChange=${(parts) => onChange({ attr: node.attr, ...parts })}
    />
    ${suggestions.length > 0 && html`<${Suggestions} id=${id} values=${suggestions.map((s) => s.value)} />`}`;
}

function TagLeaf({ node, onChange, choices, path }) {
  const t = useText(TEXT);
  const tags = [...new Set(choices.tags.map((c) => c.tag))];
  const values = choices.tags.filter((c) => c.tag === node.tag && c.value !== '').map((c) => c.value);
  const tagList = listId(path, 'tags');
  const valueList = listId(path, 'tag-values');
  return html`<input
      type="text"
      list=${tagList}
      aria-label=${t('tag')}
      placeholder=${t('tag')}
      value=${node.tag}
      onInput=${(e) => onChange({ ...node, tag: e.currentTarget.value })}
    />
    <${Suggestions} id=${tagList} values=${tags} />
    <input
      type="text"
      list=${valueList}
      aria-label=${t('tagValue')}
      placeholder=${t('tagValue')}
      value=${node.value ?? ''}
      onInput=${(e) => onChange(e.currentTarget.value === '' ? { tag: node.tag } : { tag: node.tag, value: e.currentTarget.value })}
    />
    <${Suggestions} id=${valueList} values=${values} />`;
}

function EventFilter({ clause, onChange, onRemove, keysList, label }) {
  const t = useText(TEXT);
  const column = EVENT_COLUMNS[clause.prop];
  const kind = column ?? 'string';
  return html`<li class="rule-filter">
    <input
      type="text"
      class="short"
      list=${keysList}
      aria-label=${`${label} ${t('property')}`}
      placeholder=${t('property')}
      value=${clause.prop}
      onInput=${(e) => onChange({ ...clause, prop: e.currentTarget.value })}
    />
    <${Comparison}
      op=${clause.op}
      value=${clause.value}
      ops=${kind === 'number' ? NUMBER_OPS : STRING_OPS}
      kind=${kind}
      numericOps=${!column}
      label=${`${label} ${clause.prop}`}
      onChange=${(parts) => onChange({ prop: clause.prop, ...parts })}
    />
    <button type="button" class="icon" aria-label=${`${t('removeFilter')} ${clause.prop}`} title=${t('removeFilter')} onClick=${onRemove}>×</button>
  </li>`;
}

function EventLeaf({ node, onChange, choices, path }) {
  const t = useText(TEXT);
  const types = t('types');
  const countOps = t('countOps');
  const where = node.where ?? [];
  const keys = [...Object.keys(EVENT_COLUMNS), ...choices.event_properties.filter((p) => p.type === node.event).map((p) => p.key)];
  const keysList = listId(path, 'keys');
  const change = (patch) => {
    const next = { ...node, ...patch };
    for (const k of Object.keys(patch)) if (patch[k] === undefined) delete next[k];
    onChange(next);
  };
  const setWhere = (list) => change({ where: list.length ? list : undefined });
  return html`<select aria-label=${t('event')} value=${node.event} onChange=${(e) => change({ event: e.currentTarget.value })}>
      ${EVENT_TYPES.map((type) => html`<option value=${type}>${types[type]}</option>`)}
    </select>
    <label class="inline"
      >${t('withinDays')}
      <input
        type="number"
        class="short"
        min="1"
        max="36500"
        value=${node.within_days ?? ''}
        onInput=${(e) => change({ within_days: e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value) })}
    /></label>
    <select
      aria-label=${t('count')}
      value=${node.count ? node.count.op : ''}
      onChange=${(e) => change({ count: e.currentTarget.value ? { op: e.currentTarget.value, value: node.count?.value ?? 1 } : undefined })}
    >
      <option value="">${t('countAny')}</option>
      ${COUNT_OPS.map((o) => html`<option value=${o}>${countOps[o]}</option>`)}
    </select>
    ${
      node.count &&
      html`<input
        type="number"
        class="short"
        min="0"
        aria-label=${t('countValue')}
        value=${node.count.value}
        onInput=${(e) => change({ count: { op: node.count.op, value: Number(e.currentTarget.value) } })}
      />`
    }
    <ul class="rule-filters">
      ${where.map(
        (clause, i) =>
          html`<${EventFilter}
            clause=${clause}
            keysList=${keysList}
            label=${`${t('filter')} ${i + 1}`}
            onChange=${(c) => setWhere(where.map((w, j) => (j === i ? c : w)))}
            onRemove=${() => setWhere(where.filter((_, j) => j !== i))}
          />`,
      )}
    </ul>
    <${Suggestions} id=${keysList} values=${keys} />
    <button type="button" class="add-filter" onClick=${() => setWhere([...where, { prop: '', op: 'eq', value: '' }])}>+ ${t('addFilter')}</button>`;
}

function RfmLeaf({ node, onChange }) {
  const t = useText(TEXT);
  const rfm = node.rfm ?? {};
  const bySegment = 'segment' in rfm;
  const segments = t('segments');
  const scoreNames = t('score');
  const countOps = t('countOps');
  const setScore = (k, score) => {
    const next = { ...rfm };
    if (score) next[k] = score;
    else delete next[k];
    onChange({ rfm: next });
  };
  return html`<select
      aria-label=${t('rfmMode')}
      value=${bySegment ? 'segment' : 'scores'}
      onChange=${(e) => onChange({ rfm: e.currentTarget.value === 'segment' ? { segment: 'champions' } : { r: { op: 'gte', value: 4 } } })}
    >
      <option value="segment">${t('rfmSegment')}</option>
      <option value="scores">${t('rfmScores')}</option>
    </select>
    ${
      bySegment
        ? html`<select aria-label=${t('rfmSegment')} value=${rfm.segment} onChange=${(e) => onChange({ rfm: { segment: e.currentTarget.value } })}>
            ${RFM_SEGMENTS.map((s) => html`<option value=${s}>${segments[s]}</option>`)}
          </select>`
        : ['r', 'f', 'm'].map(
            (k) =>
              html`<span class="rfm-score">
                <select
                  aria-label=${scoreNames[k]}
                  value=${rfm[k]?.op ?? ''}
                  onChange=${(e) => setScore(k, e.currentTarget.value ? { op: e.currentTarget.value, value: rfm[k]?.value ?? 3 } : undefined)}
                >
                  <option value="">${scoreNames[k]}: ${t('unused')}</option>
                  ${[...COUNT_OPS, 'between', 'in'].map((o) => html`<option value=${o}>${scoreNames[k]} ${countOps[o] ?? o}</option>`)}
                </select>
                ${
                  rfm[k] &&
                  html`<input
                    type="text"
                    class="short"
                    aria-label=${`${scoreNames[k]} ${t('scoreValue')}`}
                    value=${listText(rfm[k].value)}
                    onChange=${(e) => {
                      const list = parseList(e.currentTarget.value, true);
                      setScore(k, comparisonParts(rfm[k].op, rfm[k].op === 'between' || rfm[k].op === 'in' ? list : list[0]));
                    }}
                  />`
                }
              </span>`,
          )
    }`;
}

function ClusterLeaf({ node, onChange }) {
  const t = useText(TEXT);
  const cluster = node.cluster ?? {};
  return html`<input
      type="text"
      aria-label=${t('model')}
      placeholder=${t('model')}
      value=${cluster.model ?? ''}
      onInput=${(e) => onChange({ cluster: { ...cluster, model: e.currentTarget.value } })}
    />
    <input
      type="text"
      class="short"
      aria-label=${t('clusters')}
      placeholder=${t('clusters')}
      value=${listText(cluster.in)}
      onChange=${(e) => onChange({ cluster: { ...cluster, in: parseList(e.currentTarget.value, true) } })}
    />`;
}

/** Contacts in any of the ticked stages (the workspace's thresholds decide the stages: GET /v1/lifecycle/settings). */
function LifecycleLeaf({ node, onChange }) {
  const t = useText(TEXT);
  const names = t('stages');
  const chosen = lifecycleStagesOf(node);
  const toggle = (stage) => (e) => onChange(lifecycleLeaf(e.currentTarget.checked ? [...chosen, stage] : chosen.filter((s) => s !== stage)));
  return html`<span class="lifecycle-stages">
    ${LIFECYCLE_STAGES.map(
      (s) =>
        html`<label class="inline"><input type="checkbox" name="stage" value=${s} checked=${chosen.includes(s)} onChange=${toggle(s)} /> ${names[s]}</label>`,
    )}
  </span>`;
}

/** The editor of a leaf of `kind` (attr, tag, event, rfm, cluster, lifecycle). */
export const LEAF_EDITORS = { attr: AttrLeaf, tag: TagLeaf, event: EventLeaf, rfm: RfmLeaf, cluster: ClusterLeaf, lifecycle: LifecycleLeaf };
