/**
 * An independent evaluator of segment rules in plain TypeScript over in-memory data, to check the SQL
 * compiler against. It follows the documented semantics, not the compiler's code.
 */
import type { AttrLeaf, EventLeaf, Rule, Scalar, WhereClause } from '../../segmentation/rule-types.ts';

export interface MemContact {
  user_id: string;
  phone: string;
  name: string;
  gender: string;
  city: string;
  region: string;
  consent: string;
  vip_level: number;
  birthday: string | null;
  signup_at: number | null;
  attributes: Record<string, string>;
}

export interface MemEvent {
  unit: string;
  type: string;
  ts: number;
  campaign_id: string;
  channel: string;
  revenue: number;
  properties: Record<string, string>;
}

export interface MemData {
  contacts: MemContact[];
  tags: { user_id: string; tag: string; value: string }[];
  events: MemEvent[];
}

const DAY = 86_400_000;
const QUARTER_HOUR = 900_000;
const numeric = (v: string | undefined): number | null => (v !== undefined && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : null);
const localDate = (ms: number, tz: string) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);

/**
 * Midnight starting the date in the zone, found by search rather than by the product's arithmetic: the first
 * quarter hour (every zone offset is a whole number of them) whose local date is `date`.
 */
function zoneMidnight(date: string, tz: string): number {
  let t = Date.parse(`${date}T00:00:00Z`) - 15 * 3_600_000;
  while (localDate(t, tz) !== date) t += QUARTER_HOUR;
  return t;
}

/** A date-only value is midnight in the workspace's zone; an ISO instant is itself. */
const instant = (v: string, tz: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? zoneMidnight(v, tz) : Date.parse(v));

/** The zone's UTC offset in ms, read from Intl's "GMT+05:30" spelling. */
function offsetMs(ms: number, tz: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(ms).find((p) => p.type === 'timeZoneName')!.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3_600_000 + Number(m[3]) * 60_000) : 0;
}

/** `days` calendar days before `now` in the zone: 24 h a day, corrected by the change of offset in between. */
const daysBefore = (now: number, days: number, tz: string) => {
  const t = now - days * DAY;
  return t + offsetMs(now, tz) - offsetMs(t, tz);
};

function compare(
  actual: string | number | null,
  op: string,
  value: unknown,
  asNumber: boolean,
  toComparable: (v: unknown) => string | number = (v) => v as string | number,
): boolean {
  if (op === 'exists') {
    const present = actual !== null && actual !== '';
    return value === false ? !present : present;
  }
  if (actual === null) return false;
  const a = asNumber ? Number(actual) : actual;
  const v = (x: unknown) => toComparable(x);
  switch (op) {
    case 'eq':
      return a === v(value);
    case 'neq':
      return a !== v(value);
    case 'in':
      return (value as Scalar[]).map(v).includes(a);
    case 'not_in':
      return !(value as Scalar[]).map(v).includes(a);
    case 'contains':
      return String(a).includes(value as string);
    case 'gt':
      return a > v(value);
    case 'gte':
      return a >= v(value);
    case 'lt':
      return a < v(value);
    case 'lte':
      return a <= v(value);
    case 'between': {
      const [lo, hi] = value as Scalar[];
      return a >= v(lo) && a <= v(hi);
    }
  }
  throw new Error(`op ${op}`);
}

function attr(c: MemContact, leaf: AttrLeaf, now: number, tz: string): boolean {
  if (leaf.attr.startsWith('attributes.')) {
    const raw = c.attributes[leaf.attr.slice(11)] ?? '';
    if (['gt', 'gte', 'lt', 'lte', 'between'].includes(leaf.op)) return compare(numeric(raw), leaf.op, leaf.value, true, Number);
    return compare(raw, leaf.op, leaf.value, false);
  }
  if (leaf.attr === 'vip_level') return leaf.op === 'exists' ? leaf.value !== false : compare(c.vip_level, leaf.op, leaf.value, true, Number);
  if (leaf.attr === 'birthday') {
    const b = c.birthday;
    if (leaf.op === 'is_today') return b !== null && b.slice(5) === localDate(now, tz).slice(5);
    if (leaf.op === 'within_days') return b !== null && zoneMidnight(b, tz) >= daysBefore(now, leaf.value as number, tz) && zoneMidnight(b, tz) <= now;
    return compare(b, leaf.op, leaf.value, false);
  }
  if (leaf.attr === 'signup_at') {
    const s = c.signup_at;
    if (leaf.op === 'is_today') return s !== null && localDate(s, tz) === localDate(now, tz);
    if (leaf.op === 'within_days') return s !== null && s >= daysBefore(now, leaf.value as number, tz) && s <= now;
    return compare(s, leaf.op, leaf.value, true, (v) => instant(v as string, tz));
  }
  return compare((c as unknown as Record<string, string>)[leaf.attr] ?? '', leaf.op, leaf.value, false);
}

function where(e: MemEvent, w: WhereClause): boolean {
  if (w.prop === 'revenue') return compare(e.revenue, w.op, w.value, true, Number);
  if (w.prop === 'campaign_id' || w.prop === 'channel') return compare(e[w.prop], w.op, w.value, false);
  const raw = e.properties[w.prop] ?? '';
  if (['gt', 'gte', 'lt', 'lte', 'between'].includes(w.op)) return compare(numeric(raw), w.op, w.value, true, Number);
  return compare(raw, w.op, w.value, false);
}

function event(c: MemContact, leaf: EventLeaf, data: MemData, now: number, tz: string): boolean {
  const n = data.events.filter(
    (e) =>
      e.unit === c.user_id &&
      e.type === leaf.event &&
      e.ts <= now &&
      (leaf.within_days === undefined || e.ts >= daysBefore(now, leaf.within_days, tz)) &&
      (leaf.where ?? []).every((w) => where(e, w)),
  ).length;
  const { op, value } = leaf.count ?? { op: 'gte', value: 1 };
  return compare(n, op, value, true, Number);
}

export function evaluate(rule: Rule, c: MemContact, data: MemData, now: number, tz: string): boolean {
  if ('all' in rule) return rule.all.every((r) => evaluate(r, c, data, now, tz));
  if ('any' in rule) return rule.any.some((r) => evaluate(r, c, data, now, tz));
  if ('not' in rule) return !evaluate(rule.not, c, data, now, tz);
  if ('attr' in rule) return attr(c, rule, now, tz);
  if ('tag' in rule) return data.tags.some((t) => t.user_id === c.user_id && t.tag === rule.tag && (rule.value === undefined || t.value === rule.value));
  if ('event' in rule) return event(c, rule, data, now, tz);
  throw new Error('unsupported leaf');
}
