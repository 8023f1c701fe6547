/**
 * Validates a rule before it runs. Every problem names the JSON path of the offending node
 * (e.g. `rule.all[1].op`), so a marketer's UI can point at it.
 */
import { fieldAccess, maskedFieldOps, type FieldAccess } from '../access/pii-policy.ts';
import { isStorableDate, storableInstantMs } from '../common/dates.ts';
import { errors } from '../common/errors.ts';
import { ownValue } from '../common/lookup.ts';
import { EVENT_TYPES } from '../ingest/event-schema.ts';
import { LIFECYCLE_STAGES } from './lifecycle-settings.ts';
import { CONTACT_ATTRIBUTES, EVENT_COLUMNS, RFM_SEGMENTS, type AttrKind, type Rule, type WhereClause } from './rule-types.ts';

const MAX_DEPTH = 12;
const MAX_NODES = 200;
const MAX_LIST = 1000;
const KEY = /^[A-Za-z0-9_.\-\u4e00-\u9fff]{1,64}$/;
/** Numbers a rule compares with: exact integers and the Float64 values around them. */
const MAX_NUMBER = Number.MAX_SAFE_INTEGER;
/** Cluster numbers are UInt32 in the warehouse; models have far fewer. */
const MAX_CLUSTER = 10_000;
const MAX_COUNT = 1_000_000_000;
/** Event filters per behaviour leaf (or per funnel, step or metric query). */
const MAX_WHERE = 20;

const STRING_OPS = ['eq', 'neq', 'in', 'not_in', 'contains', 'exists', 'gt', 'gte', 'lt', 'lte', 'between'];
const NUMBER_OPS = ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'between', 'exists'];
const DATE_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'within_days', 'is_today', 'exists'];
const COUNT_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyKeys(node: Record<string, unknown>, allowed: string[], path: string): void {
  for (const key of Object.keys(node)) if (!allowed.includes(key)) throw errors.invalid(`${path}.${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
}

function checkScalar(value: unknown, kind: AttrKind | 'string' | 'number', path: string): void {
  if (kind === 'number') {
    if (typeof value !== 'number' || !(Math.abs(value) <= MAX_NUMBER)) throw errors.invalid(path, `must be a number between -${MAX_NUMBER} and ${MAX_NUMBER}`);
  } else if (kind === 'date' || kind === 'datetime') {
    const ok = typeof value === 'string' && (isStorableDate(value) || (kind === 'datetime' && storableInstantMs(value) !== undefined));
    if (!ok)
      throw errors.invalid(
        path,
        kind === 'date' ? 'must be a real date YYYY-MM-DD (1900-2299)' : 'must be a real date YYYY-MM-DD or an ISO 8601 time with an offset (1900-2299)',
      );
  } else if (typeof value !== 'string' || value.length > 1024) throw errors.invalid(path, 'must be a string (at most 1024 characters)');
}

/** Checks an operator and its value for an attribute or event column of `kind`. */
function checkComparison(node: Record<string, unknown>, kind: AttrKind, ops: string[], path: string, textAsNumber: boolean): void {
  const op = node.op;
  if (typeof op !== 'string' || !ops.includes(op)) throw errors.invalid(`${path}.op`, `must be one of ${ops.join(', ')}`);
  const value = node.value;
  const valuePath = `${path}.value`;
  // A free attribute or property is text, but gt/lt/between compare it as a number.
  const scalarKind = textAsNumber && ['gt', 'gte', 'lt', 'lte', 'between'].includes(op) ? 'number' : kind;
  switch (op) {
    case 'exists':
      if (value !== undefined && typeof value !== 'boolean') throw errors.invalid(valuePath, 'must be true or false (or left out)');
      return;
    case 'is_today':
      if (value !== undefined) throw errors.invalid(valuePath, 'is_today takes no value');
      return;
    case 'within_days':
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 36500)
        throw errors.invalid(valuePath, 'must be a whole number of days (0-36500)');
      return;
    case 'in':
    case 'not_in':
      if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST) throw errors.invalid(valuePath, `must be a list of 1 to ${MAX_LIST} values`);
      value.forEach((v, i) => checkScalar(v, scalarKind, `${valuePath}[${i}]`));
      return;
    case 'between':
      if (!Array.isArray(value) || value.length !== 2) throw errors.invalid(valuePath, 'must be [low, high]');
      value.forEach((v, i) => checkScalar(v, scalarKind, `${valuePath}[${i}]`));
      return;
    case 'contains':
      checkScalar(value, 'string', valuePath);
      return;
    default:
      checkScalar(value, scalarKind, valuePath);
  }
}

function attrKind(attr: unknown, path: string): { kind: AttrKind; free: boolean } {
  // (own properties only: a name like `constructor` is unknown, not Object's constructor)
  if (typeof attr !== 'string') throw errors.invalid(path, 'must be a string');
  if (attr.startsWith('attributes.')) {
    if (!KEY.test(attr.slice('attributes.'.length))) throw errors.invalid(path, 'attributes.<key>: the key has letters, digits, _ . - only');
    return { kind: 'string', free: true };
  }
  const kind = ownValue(CONTACT_ATTRIBUTES, attr);
  if (!kind) throw errors.invalid(path, `unknown attribute (known: ${Object.keys(CONTACT_ATTRIBUTES).join(', ')}, attributes.<key>)`);
  return { kind, free: false };
}

function opsFor(kind: AttrKind): string[] {
  return kind === 'number' ? NUMBER_OPS : kind === 'string' ? STRING_OPS : DATE_OPS;
}

function checkRfmScore(value: unknown, path: string): void {
  if (!isObject(value)) throw errors.invalid(path, 'must be {op, value}');
  onlyKeys(value, ['op', 'value'], path);
  const ops = [...COUNT_OPS, 'between', 'in'];
  if (typeof value.op !== 'string' || !ops.includes(value.op)) throw errors.invalid(`${path}.op`, `must be one of ${ops.join(', ')}`);
  const scores = Array.isArray(value.value) ? value.value : [value.value];
  if (
    (value.op === 'between' && scores.length !== 2) ||
    scores.length === 0 ||
    scores.some((s) => !Number.isInteger(s) || (s as number) < 1 || (s as number) > 5)
  ) {
    throw errors.invalid(`${path}.value`, 'scores are whole numbers 1-5 (a pair for between, a list for in)');
  }
}

/** `"dormant"` or `{"in": ["dormant", "churned"]}`. */
function checkLifecycle(value: unknown, path: string): void {
  const known = (v: unknown) => typeof v === 'string' && (LIFECYCLE_STAGES as readonly string[]).includes(v);
  const stages = `one of ${LIFECYCLE_STAGES.join(', ')}`;
  if (typeof value === 'string') {
    if (!known(value)) throw errors.invalid(path, `must be ${stages} (or {"in": [...]})`);
    return;
  }
  if (!isObject(value)) throw errors.invalid(path, `must be a stage (${stages}) or {"in": [stages]}`);
  onlyKeys(value, ['in'], path);
  if (!Array.isArray(value.in) || value.in.length === 0 || value.in.length > LIFECYCLE_STAGES.length)
    throw errors.invalid(`${path}.in`, `must be a list of 1 to ${LIFECYCLE_STAGES.length} stages`);
  value.in.forEach((v, i) => {
    if (!known(v)) throw errors.invalid(`${path}.in[${i}]`, `must be ${stages}`);
  });
}

interface Walk {
  nodes: number;
  access: FieldAccess;
}

/** Refuses comparisons on personal fields that the caller's role sees masked (see access/pii-policy.ts). */
function checkFieldAccess(field: string, op: unknown, path: string, walk: Walk): void {
  if (typeof op !== 'string' || walk.access.mayFilter(field, op)) return;
  throw errors.invalid(`${path}.op`, `${field} is masked for this role: only ${maskedFieldOps(field)!.join(', ')} may be used on it`);
}

function checkNode(node: unknown, path: string, depth: number, counter: Walk): void {
  if (++counter.nodes > MAX_NODES) throw errors.invalid(path, `a rule has at most ${MAX_NODES} nodes`);
  if (depth > MAX_DEPTH) throw errors.invalid(path, `rules nest at most ${MAX_DEPTH} deep`);
  if (!isObject(node)) throw errors.invalid(path, 'must be an object');
  if ('all' in node || 'any' in node) {
    const key = 'all' in node ? 'all' : 'any';
    onlyKeys(node, [key], path);
    const list = node[key];
    if (!Array.isArray(list) || list.length === 0) throw errors.invalid(`${path}.${key}`, 'must be a non-empty list of rules');
    list.forEach((child, i) => checkNode(child, `${path}.${key}[${i}]`, depth + 1, counter));
    return;
  }
  if ('not' in node) {
    onlyKeys(node, ['not'], path);
    checkNode(node.not, `${path}.not`, depth + 1, counter);
    return;
  }
  if ('attr' in node) {
    onlyKeys(node, ['attr', 'op', 'value'], path);
    const { kind, free } = attrKind(node.attr, `${path}.attr`);
    checkFieldAccess(node.attr as string, node.op, path, counter);
    if ((node.op === 'is_today' || node.op === 'within_days') && kind !== 'date' && kind !== 'datetime')
      throw errors.invalid(`${path}.op`, `${node.op} applies to date attributes (birthday, signup_at)`);
    checkComparison(node, kind, opsFor(kind), path, free);
    return;
  }
  if ('tag' in node) {
    onlyKeys(node, ['tag', 'value'], path);
    if (typeof node.tag !== 'string' || !node.tag || node.tag.length > 64) throw errors.invalid(`${path}.tag`, 'must be a tag name (1-64 characters)');
    if (node.value !== undefined && (typeof node.value !== 'string' || node.value.length > 256)) throw errors.invalid(`${path}.value`, 'must be a string');
    return;
  }
  if ('event' in node) {
    onlyKeys(node, ['event', 'where', 'within_days', 'count'], path);
    if (typeof node.event !== 'string' || !(EVENT_TYPES as readonly string[]).includes(node.event))
      throw errors.invalid(`${path}.event`, `must be one of ${EVENT_TYPES.join(', ')}`);
    if (node.within_days !== undefined && (!Number.isInteger(node.within_days) || (node.within_days as number) < 1 || (node.within_days as number) > 36500)) {
      throw errors.invalid(`${path}.within_days`, 'must be a whole number of days (1-36500)');
    }
    if (node.count !== undefined) {
      const count = node.count;
      if (!isObject(count)) throw errors.invalid(`${path}.count`, 'must be {op, value}');
      onlyKeys(count, ['op', 'value'], `${path}.count`);
      if (typeof count.op !== 'string' || !COUNT_OPS.includes(count.op)) throw errors.invalid(`${path}.count.op`, `must be one of ${COUNT_OPS.join(', ')}`);
      if (!Number.isInteger(count.value) || (count.value as number) < 0 || (count.value as number) > MAX_COUNT)
        throw errors.invalid(`${path}.count.value`, `must be a whole number 0-${MAX_COUNT}`);
    }
    if (node.where !== undefined) validateWhereClauses(node.where, `${path}.where`);
    return;
  }
  if ('rfm' in node) {
    onlyKeys(node, ['rfm'], path);
    const rfm = node.rfm;
    if (!isObject(rfm) || Object.keys(rfm).length === 0) throw errors.invalid(`${path}.rfm`, 'must name a segment or r/f/m scores');
    onlyKeys(rfm, ['segment', 'r', 'f', 'm'], `${path}.rfm`);
    if (rfm.segment !== undefined && !(RFM_SEGMENTS as readonly string[]).includes(rfm.segment as string))
      throw errors.invalid(`${path}.rfm.segment`, `must be one of ${RFM_SEGMENTS.join(', ')}`);
    for (const k of ['r', 'f', 'm'] as const) if (rfm[k] !== undefined) checkRfmScore(rfm[k], `${path}.rfm.${k}`);
    return;
  }
  if ('cluster' in node) {
    onlyKeys(node, ['cluster'], path);
    const c = node.cluster;
    if (!isObject(c)) throw errors.invalid(`${path}.cluster`, 'must be {model, in}');
    onlyKeys(c, ['model', 'in'], `${path}.cluster`);
    if (typeof c.model !== 'string' || !c.model || c.model.length > 64) throw errors.invalid(`${path}.cluster.model`, 'must be a model id');
    if (
      !Array.isArray(c.in) ||
      c.in.length === 0 ||
      c.in.length > MAX_LIST ||
      c.in.some((x) => !Number.isInteger(x) || (x as number) < 0 || (x as number) > MAX_CLUSTER)
    ) {
      throw errors.invalid(`${path}.cluster.in`, `must be a list of cluster numbers (0-${MAX_CLUSTER})`);
    }
    return;
  }
  if ('lifecycle' in node) {
    onlyKeys(node, ['lifecycle'], path);
    checkLifecycle(node.lifecycle, `${path}.lifecycle`);
    return;
  }
  throw errors.invalid(path, 'must be a combinator (all, any, not) or a leaf (attr, tag, event, rfm, cluster, lifecycle)');
}

/**
 * Event filters, checked: a behaviour leaf's `where`, and the `filters` and step `where` of funnels, metrics and
 * alerts. Throws an invalid AppError naming the offending clause under `path` (e.g. `body.filters[1].op`).
 */
export function validateWhereClauses(where: unknown, path: string): WhereClause[] {
  if (!Array.isArray(where) || where.length > MAX_WHERE) throw errors.invalid(path, `must be a list of at most ${MAX_WHERE} conditions`);
  where.forEach((w, i) => {
    const wp = `${path}[${i}]`;
    if (!isObject(w)) throw errors.invalid(wp, 'must be {prop, op, value}');
    onlyKeys(w, ['prop', 'op', 'value'], wp);
    if (typeof w.prop !== 'string' || !KEY.test(w.prop)) throw errors.invalid(`${wp}.prop`, 'must be an event column or a property key');
    const column = ownValue(EVENT_COLUMNS, w.prop);
    checkComparison(w, column ?? 'string', column === 'number' ? NUMBER_OPS : STRING_OPS, wp, !column);
  });
  return where as WhereClause[];
}

/**
 * The rule, checked; throws an invalid AppError naming the path of the first problem. `access` is the caller's
 * view of personal fields (by default a role that sees them whole, e.g. a stored rule being run).
 */
export function validateRule(rule: unknown, path = 'rule', access: FieldAccess = fieldAccess('admin')): Rule {
  checkNode(rule, path, 0, { nodes: 0, access });
  return rule as Rule;
}
