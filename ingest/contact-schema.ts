/**
 * The contact shape, defined once. From CONTACT_FIELDS come the API's request schema (validation and
 * OpenAPI), the stored and staged row types, the import's header names and cell validation, and the column
 * lists of every statement that carries contact columns (contact-sql.ts renders them into `{{slots}}`).
 * A test compares the derived columns with the migrated tables, so a field added here without its
 * migration is caught. Adding a field: one entry here, plus a migration adding its columns.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { columnAnswerSchema } from '../common/column-schema.ts';
import { catalogue, ownValue } from '../common/lookup.ts';
import { formatTs } from '../warehouse/time.ts';
import { MAX_EPOCH_MS } from './event-schema.ts';
import type { Cell } from './imports/row-sources.ts';
import { normalizePhone } from '../common/phone.ts';

export const GENDERS = ['male', 'female', 'unknown'] as const;
export const CONSENT_STATES = ['opted_in', 'opted_out', 'unknown'] as const;

/** A value for the stored row, or why it is refused (said as `<field>: <why>`). */
export type Parsed<V> = { ok: true; value: V } | { ok: false; why: string };
const keep = <V>(value: V): Parsed<V> => ({ ok: true, value });
const refuse = (why: string): Parsed<never> => ({ ok: false, why });

/** How the segmentation DSL compares a contact column: text, number, calendar date or instant. */
export type ContactAttrKind = 'string' | 'number' | 'date' | 'datetime';

export interface ContactFieldSpec<V = unknown, S extends TSchema = TSchema> {
  /** The field in an API request (validation and OpenAPI). */
  schema: S;
  /** ClickHouse column type in `contacts`, exactly as system.columns reports it. */
  column: string;
  /**
   * How the merge combines a given value with the stored one: `identity` (the contact's key), `replace`
   * (a given value wins, an absent one keeps the stored value) or `map-update` (key by key).
   */
  merge: 'identity' | 'replace' | 'map-update';
  /** SQL the merge stores when neither the input nor the stored profile has a value. */
  empty: string;
  /** Import headers (lower case) naming the field besides its own name; null: not an import column. */
  aliases: readonly string[] | null;
  /** An import cell (never empty) → the staged value. */
  fromCell: (cell: Cell) => Parsed<V>;
  /** A value that passed `schema` (so of its static type) → the staged value (normalised). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each field's own input type, checked by `schema` first
  fromInput: (value: any) => Parsed<V>;
  /** Copied into audience snapshots (what templates and exports read). */
  audience: boolean;
  /** How a segment rule compares it (`{"attr": name}`); null: rules cannot name it. */
  rule: ContactAttrKind | null;
}

/** Text of a cell as the import reads it: trimmed, dates as ISO. */
export const cellText = (v: Cell): string => (v === null ? '' : v instanceof Date ? v.toISOString() : String(v).trim());

function text<S extends TSchema>(schema: S, maxLength: number, column = 'String') {
  return {
    schema,
    column,
    merge: 'replace' as const,
    empty: "''",
    // A file's long text is cut to the limit, not refused: spreadsheets carry stray long cells.
    fromCell: (v: Cell) => keep(cellText(v).slice(0, maxLength)),
    fromInput: (v: Static<S>) => keep(v as string),
  };
}

function phoneField() {
  return {
    schema: Type.String({ maxLength: 32, description: 'Mobile number; stored in E.164' }),
    column: 'String',
    merge: 'replace' as const,
    empty: "''",
    // Excel stores numbers as doubles: a numeric cell is used only when it is an exact integer.
    fromCell: (v: Cell): Parsed<string> => {
      if (typeof v === 'number' && (!Number.isSafeInteger(v) || v <= 0))
        return refuse(`numeric cell ${v} cannot be recovered exactly; store phone numbers as text`);
      const normalized = normalizePhone(cellText(v));
      return normalized === null ? refuse(`${JSON.stringify(cellText(v))} is not a valid mobile number`) : keep(normalized);
    },
    // '' clears the stored number.
    fromInput: (v: string): Parsed<string> => {
      const normalized = v === '' ? '' : normalizePhone(v);
      return normalized === null ? refuse('is not a valid mobile number') : keep(normalized);
    },
  };
}

const GENDER_WORDS = catalogue<string>({ male: 'male', m: 'male', 男: 'male', female: 'female', f: 'female', 女: 'female', unknown: 'unknown' });

function dateField(description: string) {
  return {
    schema: Type.String({ format: 'date', pattern: '^(19|20)[0-9]{2}-', description }),
    column: 'Nullable(Date32)',
    merge: 'replace' as const,
    empty: 'NULL',
    fromCell: (v: Cell): Parsed<string | null> => {
      const s = v instanceof Date ? v.toISOString().slice(0, 10) : cellText(v).replace(/\//g, '-');
      const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
      const iso = m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : '';
      const year = Number(m?.[1]);
      const real = m && !Number.isNaN(Date.parse(iso)) && new Date(iso).toISOString().slice(0, 10) === iso && year >= 1900 && year <= 2099;
      return real ? keep(iso) : refuse('must be a date YYYY-MM-DD (1900-2099)');
    },
    fromInput: (v: string): Parsed<string | null> => keep(v),
  };
}

function instantField() {
  return {
    schema: Type.Union([Type.String({ format: 'date-time' }), Type.Integer({ minimum: 0, maximum: MAX_EPOCH_MS })]),
    column: "Nullable(DateTime64(3, 'UTC'))",
    merge: 'replace' as const,
    empty: 'NULL',
    fromCell: (v: Cell): Parsed<string | null> => {
      if (v instanceof Date) return keep(formatTs(v.getTime()));
      const s = cellText(v);
      const ms = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : /(Z|[+-]\d{2}:?\d{2})$/i.test(s) ? Date.parse(s) : NaN;
      if (!Number.isFinite(ms) || ms < 0 || ms > MAX_EPOCH_MS) return refuse('must be ISO 8601 with an offset or Z, or a date YYYY-MM-DD');
      return keep(formatTs(ms));
    },
    fromInput: (v: string | number): Parsed<string | null> => keep(formatTs(typeof v === 'number' ? v : Date.parse(v))),
  };
}

function attributesField() {
  return {
    schema: Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean()]), { maxProperties: 64 }),
    column: 'Map(String, String)',
    merge: 'map-update' as const,
    empty: 'map()',
    // Unknown import columns become attributes (contact-fields.ts); there is no `attributes` column.
    fromCell: (v: Cell): Parsed<Record<string, string>> => refuse(`not an import column (${cellText(v)})`),
    fromInput: (v: Record<string, string | number | boolean>): Parsed<Record<string, string>> => {
      // Prototype-less, so an attribute named __proto__ is stored like any other.
      const out = Object.create(null) as Record<string, string>;
      for (const [k, value] of Object.entries(v)) out[k] = String(value);
      return keep(out);
    },
  };
}

export const CONTACT_FIELDS = {
  user_id: {
    ...text(Type.String({ minLength: 1, maxLength: 128 }), 128),
    merge: 'identity',
    aliases: ['userid', 'user', 'user id', '用户id', '用户'],
    audience: true,
    rule: 'string',
  },
  phone: {
    ...phoneField(),
    aliases: ['mobile', 'phone_number', 'tel', '手机', '手机号', '手机号码', '电话', '号码'],
    audience: true,
    rule: 'string',
  },
  name: { ...text(Type.String({ maxLength: 256 }), 256), aliases: ['姓名', '名字'], audience: true, rule: 'string' },
  gender: {
    schema: Type.Enum([...GENDERS]),
    column: 'LowCardinality(String)',
    merge: 'replace',
    empty: "''",
    fromCell: (v: Cell): Parsed<string> => {
      const gender = ownValue(GENDER_WORDS, cellText(v).toLowerCase());
      return gender ? keep(gender) : refuse('must be male, female or unknown (男/女)');
    },
    fromInput: (v: string): Parsed<string> => keep(v),
    aliases: ['性别'],
    audience: true,
    rule: 'string',
  },
  birthday: { ...dateField('YYYY-MM-DD, years 1900-2099'), aliases: ['生日', '出生日期'], audience: true, rule: 'date' },
  city: { ...text(Type.String({ maxLength: 64 }), 64, 'LowCardinality(String)'), aliases: ['城市'], audience: true, rule: 'string' },
  region: { ...text(Type.String({ maxLength: 64 }), 64, 'LowCardinality(String)'), aliases: ['省份', '地区'], audience: true, rule: 'string' },
  signup_at: { ...instantField(), aliases: ['注册时间'], audience: false, rule: 'datetime' },
  vip_level: {
    schema: Type.Integer({ minimum: 0, maximum: 9 }),
    column: 'UInt8',
    merge: 'replace',
    empty: '0',
    fromCell: (v: Cell): Parsed<number> => {
      const n = Number(cellText(v));
      return Number.isInteger(n) && n >= 0 && n <= 9 ? keep(n) : refuse('must be an integer 0-9');
    },
    fromInput: (v: number): Parsed<number> => keep(v),
    aliases: ['vip', '会员等级'],
    audience: true,
    rule: 'number',
  },
  consent: {
    schema: Type.Enum([...CONSENT_STATES]),
    column: 'LowCardinality(String)',
    merge: 'replace',
    empty: "'unknown'",
    fromCell: (v: Cell): Parsed<string> =>
      (CONSENT_STATES as readonly string[]).includes(cellText(v)) ? keep(cellText(v)) : refuse('must be opted_in, opted_out or unknown'),
    fromInput: (v: string): Parsed<string> => keep(v),
    aliases: [],
    audience: false,
    rule: 'string',
  },
  consent_at: { ...instantField(), aliases: [], audience: false, rule: null },
  attributes: { ...attributesField(), aliases: null, audience: true, rule: null },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each field has its own value and schema types
} satisfies Record<string, ContactFieldSpec<any, any>>;

type Fields = typeof CONTACT_FIELDS;
export type ContactField = keyof Fields;

/** The stored value type of a field, read off its `fromInput`. */
type StoredOf<K extends ContactField> = Fields[K]['fromInput'] extends (v: never) => Parsed<infer V> ? V : never;
type MapFields = { [K in ContactField]: Fields[K]['merge'] extends 'map-update' ? K : never }[ContactField];

/** A field list as [name, spec] pairs; the derivations below take one, so tests can add a field. */
export type ContactFieldList = readonly (readonly [string, ContactFieldSpec])[];

/** Field specs in definition order (the order of every rendered column list). */
export function contactFieldEntries(): [ContactField, ContactFieldSpec][] {
  return Object.entries(CONTACT_FIELDS) as unknown as [ContactField, ContactFieldSpec][];
}

/** The request schema of a field list: the identity field required, every other one optional. */
export function buildContactSchema(fields: ContactFieldList = contactFieldEntries()) {
  const properties: Record<string, TSchema> = {};
  for (const [name, spec] of fields) properties[name] = spec.merge === 'identity' ? spec.schema : Type.Optional(spec.schema);
  return Type.Object(properties, { additionalProperties: false, $id: 'Contact' });
}

/** JSON Schema of one posted contact: user_id and any other fields. */
export const ContactSchema = buildContactSchema() as unknown as ReturnType<
  typeof Type.Object<
    { user_id: Fields['user_id']['schema'] } & {
      [K in Exclude<ContactField, 'user_id'>]: ReturnType<typeof Type.Optional<Fields[K]['schema']>>;
    }
  >
>;

/** Fields stored as instants: answered as ISO 8601 strings (UTC), null when unknown. */
export const CONTACT_INSTANT_FIELDS: readonly ContactField[] = contactFieldEntries()
  .filter(([, spec]) => spec.column.includes('DateTime64'))
  .map(([name]) => name);

/** The properties of a contact as the API answers it, one per field of the list. */
export function contactAnswerProperties(fields: ContactFieldList = contactFieldEntries()): Record<string, TSchema> {
  return Object.fromEntries(fields.map(([name, spec]) => [name, columnAnswerSchema(spec.column)]));
}

/** A contact as posted: every field but user_id is optional and, when absent, keeps its stored value. */
export type ContactInput = Static<typeof ContactSchema>;

/** One row of the contacts table. */
export type ContactRow = { [K in ContactField]: StoredOf<K> } & { workspace_id: string; updated_at: string };

/**
 * One row as staged for the merge (contact_import_rows): NULL means "not given: keep the stored value";
 * map fields are merged key by key, so empty means the same. `key` makes two lines the same contact.
 */
export type StagedContact = { [K in ContactField]: K extends MapFields ? StoredOf<K> : NonNullable<StoredOf<K>> | null } & {
  line: number;
  key: string;
  tags: [string, string][];
};

/** A staged row with nothing given yet. */
export function emptyStagedContact(line: number): StagedContact {
  const row: Record<string, unknown> = { line, key: '', tags: [] };
  for (const [name, spec] of contactFieldEntries()) row[name] = spec.merge === 'map-update' ? Object.create(null) : null;
  return row as StagedContact;
}

/** Contact columns a segment rule may name, with how they compare. */
export function contactRuleAttributes(): Record<string, ContactAttrKind> {
  const kinds: Record<string, ContactAttrKind> = {};
  for (const [name, spec] of contactFieldEntries()) if (spec.rule) kinds[name] = spec.rule;
  return kinds;
}

/** Fields copied into audience snapshots, in order (user_id first). */
export const AUDIENCE_FIELDS = contactFieldEntries()
  .filter(([, spec]) => spec.audience)
  .map(([name]) => name);

/** Import header (lower case) → field name: each importable field's own name and its aliases. */
export function importHeaderFields(fields: ContactFieldList = contactFieldEntries()): Readonly<Record<string, string>> {
  return catalogue(
    Object.fromEntries(fields.filter(([, spec]) => spec.aliases !== null).flatMap(([name, spec]) => [name, ...spec.aliases!].map((h) => [h, name]))),
  );
}

export const IMPORT_HEADER_FIELDS = importHeaderFields() as Readonly<Record<string, ContactField>>;
