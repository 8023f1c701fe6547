/**
 * One record of a contact file → a staged row, or the reason it is refused. Column names may be the
 * API's field names or common Chinese / spreadsheet headers; unknown columns become attributes.
 */
import { bareRecord, catalogue, ownValue } from '../../common/lookup.ts';
import { formatTs } from '../../warehouse/time.ts';
import { normalizePhone } from '../../common/phone.ts';
import { illFormedStringPath } from '../../common/schema-errors.ts';
import type { Cell } from './row-sources.ts';

export interface StagedContact {
  line: number;
  key: string;
  user_id: string | null;
  phone: string | null;
  name: string | null;
  gender: string | null;
  birthday: string | null;
  city: string | null;
  region: string | null;
  signup_at: string | null;
  vip_level: number | null;
  consent: string | null;
  consent_at: string | null;
  attributes: Record<string, string>;
  tags: [string, string][];
}

export type FieldResult = { ok: true; row: StagedContact } | { ok: false; reason: string };

const ALIASES = catalogue<string>({
  userid: 'user_id', user: 'user_id', 'user id': 'user_id', 用户id: 'user_id', 用户: 'user_id',
  mobile: 'phone', phone_number: 'phone', tel: 'phone', 手机: 'phone', 手机号: 'phone', 手机号码: 'phone', 电话: 'phone', 号码: 'phone',
  姓名: 'name', 名字: 'name', 性别: 'gender', 生日: 'birthday', 出生日期: 'birthday', 城市: 'city', 省份: 'region', 地区: 'region',
  注册时间: 'signup_at', vip: 'vip_level', 会员等级: 'vip_level', 标签: 'tags',
});
const FIELDS = new Set(['user_id', 'phone', 'name', 'gender', 'birthday', 'city', 'region', 'signup_at', 'vip_level', 'consent', 'consent_at', 'tags']);
const GENDERS = catalogue<string>({ male: 'male', m: 'male', 男: 'male', female: 'female', f: 'female', 女: 'female', unknown: 'unknown' });
const CONSENT = new Set(['opted_in', 'opted_out', 'unknown']);
const TRUTHY = new Set(['1', 'true', 'yes', 'y', '是', 'x', '✓']);

export function canonicalColumn(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('tag:')) return h;
  return ownValue(ALIASES, h) ?? h;
}

const text = (v: Cell): string => (v === null ? '' : v instanceof Date ? v.toISOString() : String(v).trim());

class Refused extends Error {}
const refuse = (field: string, why: string): never => {
  throw new Refused(`${field}: ${why}`);
};

/** A phone cell: text is normalised; a number is used only when it is an exact integer (Excel stores doubles). */
function phoneOf(v: Cell): string {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v <= 0) return refuse('phone', `numeric cell ${v} cannot be recovered exactly; store phone numbers as text`);
    v = String(v);
  }
  return normalizePhone(text(v)) ?? refuse('phone', `${JSON.stringify(text(v))} is not a valid mobile number`);
}

function dateOf(field: string, v: Cell): string {
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : text(v).replace(/\//g, '-');
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const iso = m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : '';
  const year = Number(m?.[1]);
  if (!m || Number.isNaN(Date.parse(iso)) || new Date(iso).toISOString().slice(0, 10) !== iso || year < 1900 || year > 2099) return refuse(field, 'must be a date YYYY-MM-DD (1900-2099)');
  return iso;
}

function timeOf(field: string, v: Cell): string {
  if (v instanceof Date) return formatTs(v.getTime());
  const s = text(v);
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : /(Z|[+-]\d{2}:?\d{2})$/i.test(s) ? Date.parse(s) : NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > 4_102_444_800_000) return refuse(field, 'must be ISO 8601 with an offset or Z, or a date YYYY-MM-DD');
  return formatTs(ms);
}

function tagsOf(v: Cell): [string, string][] {
  return text(v)
    .split(/[;|，,]/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const [tag, ...value] = t.split('=');
      return [tag!.trim().slice(0, 64), value.join('=').trim().slice(0, 256)] as [string, string];
    });
}

function stage(values: Record<string, Cell>, line: number, extraTag?: string): StagedContact {
  const row: StagedContact = {
    line, key: '', user_id: null, phone: null, name: null, gender: null, birthday: null, city: null, region: null,
    signup_at: null, vip_level: null, consent: null, consent_at: null, attributes: bareRecord(), tags: extraTag ? [[extraTag, '']] : [],
  };
  for (const [header, value] of Object.entries(values)) {
    const column = canonicalColumn(header);
    if (value === null || text(value) === '') continue;
    if (column.startsWith('tag:')) {
      const tag = column.slice(4);
      row.tags.push([tag, TRUTHY.has(text(value).toLowerCase()) ? '' : text(value)]);
      continue;
    }
    if (!FIELDS.has(column)) {
      row.attributes[header.trim().slice(0, 64)] = text(value).slice(0, 1024);
      continue;
    }
    switch (column) {
      case 'user_id': row.user_id = text(value).slice(0, 128); break;
      case 'phone': row.phone = phoneOf(value); break;
      case 'name': row.name = text(value).slice(0, 256); break;
      case 'gender': row.gender = ownValue(GENDERS, text(value).toLowerCase()) ?? refuse('gender', 'must be male, female or unknown (男/女)'); break;
      case 'birthday': row.birthday = dateOf('birthday', value); break;
      case 'city': row.city = text(value).slice(0, 64); break;
      case 'region': row.region = text(value).slice(0, 64); break;
      case 'signup_at': row.signup_at = timeOf('signup_at', value); break;
      case 'consent_at': row.consent_at = timeOf('consent_at', value); break;
      case 'vip_level': {
        const n = Number(text(value));
        row.vip_level = Number.isInteger(n) && n >= 0 && n <= 9 ? n : refuse('vip_level', 'must be an integer 0-9');
        break;
      }
      case 'consent': row.consent = CONSENT.has(text(value)) ? text(value) : refuse('consent', 'must be opted_in, opted_out or unknown'); break;
      case 'tags': row.tags.push(...tagsOf(value)); break;
    }
  }
  const key = row.user_id ?? row.phone;
  if (!key) return refuse('phone', 'a line needs a phone number (or a user_id)');
  const illFormed = illFormedStringPath(row);
  if (illFormed) return refuse(illFormed, 'is not valid Unicode text');
  row.key = key;
  return row;
}

/** The staged row for one record, or why the line is refused. */
export function stageContact(values: Record<string, Cell>, line: number, extraTag?: string): FieldResult {
  try {
    return { ok: true, row: stage(values, line, extraTag) };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, reason: err.message };
    throw err;
  }
}
