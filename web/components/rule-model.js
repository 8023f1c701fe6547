// The segment rule DSL as the builder edits it (README "The rule DSL"): what each leaf may say, and pure edits of a
// rule tree addressed by paths (['all', 0, 'not']). The API validates the rule; this only shapes it.

/** Contact attributes a rule may name, with how they compare (ingest/contact-schema.ts). */
export const ATTRIBUTES = {
  user_id: 'string',
  phone: 'string',
  name: 'string',
  gender: 'string',
  city: 'string',
  region: 'string',
  consent: 'string',
  vip_level: 'number',
  birthday: 'date',
  signup_at: 'datetime',
};
export const STRING_OPS = ['eq', 'neq', 'in', 'not_in', 'contains', 'exists', 'gt', 'gte', 'lt', 'lte', 'between'];
export const NUMBER_OPS = ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'between', 'exists'];
export const DATE_OPS = ['within_days', 'is_today', 'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'exists'];
export const COUNT_OPS = ['gte', 'gt', 'eq', 'neq', 'lt', 'lte'];
export const EVENT_TYPES = ['send', 'delivery', 'click', 'conversion', 'unsubscribe', 'reply', 'complaint', 'exposure'];
/** Event columns a behaviour filter may name; any other name is a property key. */
export const EVENT_COLUMNS = {
  campaign_id: 'string',
  template_id: 'string',
  message_id: 'string',
  channel: 'string',
  carrier: 'string',
  region: 'string',
  status: 'string',
  error_code: 'string',
  experiment_id: 'string',
  variant: 'string',
  revenue: 'number',
};
export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential_loyalists',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cannot_lose',
  'hibernating',
  'lost',
];
/** Lifecycle stages in their precedence order (segmentation/lifecycle-settings.ts). */
export const LIFECYCLE_STAGES = ['new', 'churned', 'dormant', 'loyal', 'repeat', 'active'];
export const LEAF_KINDS = ['attr', 'tag', 'event', 'rfm', 'cluster', 'lifecycle'];
export const GROUP_MODES = ['all', 'any', 'not'];

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a node is: a group mode, a leaf kind, or 'unknown' (the JSON editor can write anything). */
export function nodeKind(node) {
  if (!isObject(node)) return 'unknown';
  for (const key of [...GROUP_MODES, ...LEAF_KINDS]) if (key in node) return key;
  return 'unknown';
}

/** How an attribute compares: a known column's kind, or text for `attributes.<key>` (numbers by gt/lt/between). */
export const attributeKind = (attr) => ATTRIBUTES[attr] ?? 'string';
export const opsForKind = (kind) => (kind === 'number' ? NUMBER_OPS : kind === 'string' ? STRING_OPS : DATE_OPS);

/** A new leaf of `kind`, filled with the first choices the workspace offers. */
export function newLeaf(kind, choices) {
  if (kind === 'attr') return { attr: 'city', op: 'eq', value: choices?.cities?.[0]?.value ?? '' };
  if (kind === 'tag') return choices?.tags?.[0] ? { tag: choices.tags[0].tag } : { tag: '' };
  if (kind === 'event') return { event: 'conversion' };
  if (kind === 'rfm') return { rfm: { segment: 'champions' } };
  if (kind === 'lifecycle') return { lifecycle: 'dormant' };
  return { cluster: { model: '', in: [0] } };
}

/** The stages a lifecycle leaf names: `"dormant"` or `{"in": [...]}`. */
export const lifecycleStagesOf = (node) => (typeof node.lifecycle === 'string' ? [node.lifecycle] : Array.isArray(node.lifecycle?.in) ? node.lifecycle.in : []);

/** A lifecycle leaf naming `stages` (in precedence order): one stage plainly, several as `{in: [...]}`. */
export function lifecycleLeaf(stages) {
  const ordered = LIFECYCLE_STAGES.filter((s) => stages.includes(s));
  return ordered.length === 1 ? { lifecycle: ordered[0] } : { lifecycle: { in: ordered } };
}

/** The value at `path` of `rule`. */
export const valueAt = (rule, path) => path.reduce((node, key) => node?.[key], rule);

/** `rule` with the value at `path` replaced by `value` (a new tree; the old one is left as it was). */
export function setAt(rule, path, value) {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  const copy = Array.isArray(rule) ? [...rule] : { ...rule };
  copy[key] = setAt(rule?.[key], rest, value);
  return copy;
}

/** `rule` without the child at `path` (the last key an index into a group's list), or with a `not` emptied. */
export function removeAt(rule, path) {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  if (last === 'not') return setAt(rule, path, null);
  const list = valueAt(rule, parentPath);
  return setAt(
    rule,
    parentPath,
    list.filter((_, i) => i !== last),
  );
}

/** A group node switched to `mode`, keeping its children (a `not` holds one: several are kept under an `all`). */
export function withMode(node, mode) {
  const children = 'not' in node ? (node.not === null ? [] : [node.not]) : (node.all ?? node.any);
  if (mode !== 'not') return { [mode]: children };
  return { not: children.length === 0 ? null : children.length === 1 ? children[0] : { all: children } };
}

/** The JSON path the API names a node by ('rule.all[0].not'). */
export const pathText = (path) => path.reduce((text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${key}`), 'rule');

/** A comma-separated list typed by the user, as the values a rule holds (numbers when `numeric`). */
export function parseList(text, numeric) {
  const items = text
    .split(/[,，]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return numeric ? items.map(Number) : items;
}

/** A list value shown for editing. */
export const listText = (value) => (Array.isArray(value) ? value.join(', ') : value === undefined ? '' : String(value));
