/**
 * fast-check arbitraries built from a route's own JSON schema (TypeBox emits plain JSON Schema): values
 * that follow the schema, and the same values mutated (wrong types, missing and extra fields, hostile
 * values from the dictionary at any node). Fields the schema leaves open (`Type.Unknown()`) get
 * generators by their name: a segment `rule`, `where`/`filters` clauses.
 */
import fc from 'fast-check';
import {
  DEEP_ARRAY,
  DEEP_OBJECT,
  EXTRA_KEYS,
  EXTREME_NUMBER_TEXTS,
  INVALID_DATES,
  LONG_STRINGS,
  MARKUP_AND_CONTROL,
  NUMBER_LIKE_STRINGS,
  PROTOTYPE_NAMES,
  RawJson,
  TIME_ZONES,
  VALID_DATES,
  VALID_INSTANTS,
} from './fuzz-dictionary.ts';

export type JsonSchema = Record<string, any>;

export interface GenContext {
  /** Ids of objects that exist (in the caller's workspace and in another one), used where a field names an id. */
  ids: readonly string[];
  /** Mutate: any node may become a hostile value, required fields may go missing, extra keys appear. */
  hostile: boolean;
  /** Instants around the seeded data: `from` values all before `to` values, `recent` for event times. */
  instants?: { from: string[]; to: string[]; recent: string[] };
}

const EVENT_TYPES = ['send', 'delivery', 'click', 'conversion', 'unsubscribe', 'reply', 'complaint', 'exposure'];
const ATTRIBUTES = [
  'user_id',
  'phone',
  'name',
  'gender',
  'city',
  'region',
  'consent',
  'vip_level',
  'birthday',
  'signup_at',
  'attributes.x',
  'attributes.__proto__',
  'attributes.',
];
const EVENT_COLUMNS = [
  'campaign_id',
  'template_id',
  'message_id',
  'channel',
  'carrier',
  'region',
  'status',
  'error_code',
  'experiment_id',
  'variant',
  'revenue',
  'category',
  'text',
];
const COMPARE_OPS = ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'between', 'contains', 'exists'];
const RFM_SEGMENTS = ['champions', 'loyal', 'new', 'lost', 'at_risk'];

/** Every hostile value of the dictionary, of any type, as a JSON value (RawJson pasted verbatim). */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.constantFrom(...MARKUP_AND_CONTROL),
  fc.constantFrom(...LONG_STRINGS),
  fc.constantFrom(...INVALID_DATES),
  fc.constantFrom(...TIME_ZONES),
  fc.constantFrom(...NUMBER_LIKE_STRINGS),
  fc.constantFrom(...EXTREME_NUMBER_TEXTS).map((t) => new RawJson(t)),
  fc.constantFrom(DEEP_OBJECT, DEEP_ARRAY),
  fc.constantFrom(null, true, false, 0, -1, [], {}, [null], { '': null }),
  fc.constantFrom(...PROTOTYPE_NAMES).map((k) => Object.fromEntries([[k, { polluted: 1 }]])),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A scalar a rule or filter compares with: ordinary, odd, or hostile. */
const comparand: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.oneof(fc.string({ maxLength: 12 }), fc.integer({ min: -5, max: 200 }), fc.constantFrom(...VALID_DATES, ...VALID_INSTANTS, '上海', 'SECRET')),
  },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: 0, max: 9 })), { maxLength: 3 }) },
  { weight: 1, arbitrary: hostileValue },
);

function maybeHostile(valid: fc.Arbitrary<unknown>, ctx: GenContext): fc.Arbitrary<unknown> {
  return ctx.hostile ? fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: hostileValue }) : valid;
}

/** An object from optional entries, built so a `__proto__` key is an own property, not the prototype. */
function objectOf(entries: fc.Arbitrary<[string, unknown] | null>[], ctx: GenContext): fc.Arbitrary<unknown> {
  const extras = ctx.hostile ? fc.array(fc.tuple(fc.constantFrom(...EXTRA_KEYS), hostileValue), { maxLength: 2 }) : fc.constant([]);
  return fc.tuple(fc.tuple(...entries), extras).map(([fields, extra]) => Object.fromEntries([...fields.filter((e) => e !== null), ...extra]));
}

/** A where clause `{prop, op, value}` as used by behaviour rules, funnels, metrics and alert filters. */
export function whereArb(ctx: GenContext): fc.Arbitrary<unknown> {
  if (!ctx.hostile)
    return fc
      .tuple(
        fc.constantFrom('campaign_id', 'carrier', 'category', 'revenue'),
        fc.constantFrom('eq', 'neq', 'contains', 'exists'),
        fc.constantFrom('ws_a_campaign', 'x', '上海'),
      )
      .map(([prop, op, value]) => (op === 'exists' ? { prop, op } : { prop, op, value }));
  const prop = fc.constantFrom(...EVENT_COLUMNS, ...PROTOTYPE_NAMES);
  const op = fc.constantFrom(...COMPARE_OPS, ...PROTOTYPE_NAMES.slice(0, 2));
  return maybeHostile(
    objectOf([prop.map((p) => ['prop', p]), op.map((o) => ['op', o]), fc.option(comparand.map((v) => ['value', v] as [string, unknown]))], ctx),
    ctx,
  );
}

/** A rule a user would write (mostly valid): reaches the compiler and the warehouse. */
function plausibleRuleArb(ctx: GenContext): fc.Arbitrary<unknown> {
  const text = fc.constantFrom('ws_a_city', '上海', 'x', '');
  const leaf = fc.oneof(
    fc.constantFrom(
      { tag: 'vip' },
      { tag: 'interest', value: 'electronics' },
      { attr: 'birthday', op: 'is_today' },
      { attr: 'signup_at', op: 'within_days', value: 30 },
      { attr: 'phone', op: 'exists' },
      { rfm: { segment: 'champions' } },
    ),
    text.map((value) => ({ attr: 'city', op: 'eq', value })),
    fc
      .tuple(fc.constantFrom('gte', 'lt', 'between', 'in'), fc.integer({ min: 0, max: 9 }))
      .map(([op, v]) => ({ attr: 'vip_level', op, value: op === 'between' ? [0, v] : op === 'in' ? [v] : v })),
    fc
      .tuple(
        fc.constantFrom(...EVENT_TYPES),
        fc.integer({ min: 1, max: 90 }),
        fc.constantFrom('campaign_id', 'carrier', 'category'),
        text,
        fc.constantFrom('gte', 'lt', 'eq'),
        fc.integer({ min: 0, max: 3 }),
      )
      .map(([event, within_days, prop, value, op, n]) => ({ event, within_days, where: [{ prop, op: 'eq', value }], count: { op, value: n } })),
    fc.tuple(fc.constantFrom(...ctx.ids), fc.integer({ min: 0, max: 1 })).map(([model, i]) => ({ cluster: { model, in: [i] } })),
  );
  return fc.oneof(
    leaf,
    fc.array(leaf, { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
    fc.array(leaf, { minLength: 1, maxLength: 3 }).map((any) => ({ any: any })),
    leaf.map((not) => ({ not })),
  );
}

/** A segment rule: every leaf kind and combinator of the DSL, names and values partly hostile. */
export function ruleArb(ctx: GenContext): fc.Arbitrary<unknown> {
  if (!ctx.hostile) return plausibleRuleArb(ctx);
  const { rule } = fc.letrec<{ rule: unknown; leaf: unknown }>((tie) => ({
    rule: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('leaf'),
      fc.array(tie('rule'), { maxLength: 3 }).map((all) => ({ all })),
      fc.array(tie('rule'), { maxLength: 3 }).map((any) => ({ any })),
      tie('rule').map((not) => ({ not })),
    ),
    leaf: fc.oneof(
      objectOf(
        [
          fc.constantFrom(...ATTRIBUTES, ...PROTOTYPE_NAMES).map((a) => ['attr', a]),
          fc.constantFrom(...COMPARE_OPS, 'within_days', 'is_today', ...PROTOTYPE_NAMES).map((o) => ['op', o]),
          fc.option(comparand.map((v) => ['value', v] as [string, unknown])),
        ],
        ctx,
      ),
      objectOf(
        [
          fc.oneof(fc.constantFrom('vip', 'interest', ...PROTOTYPE_NAMES), fc.string({ maxLength: 8 })).map((t) => ['tag', t]),
          fc.option(comparand.map((v) => ['value', v] as [string, unknown])),
        ],
        ctx,
      ),
      objectOf(
        [
          fc.constantFrom(...EVENT_TYPES, ...PROTOTYPE_NAMES).map((e) => ['event', e]),
          fc.option(fc.array(whereArb(ctx), { maxLength: 2 }).map((w) => ['where', w] as [string, unknown])),
          fc.option(maybeHostile(fc.integer({ min: 1, max: 400 }), ctx).map((d) => ['within_days', d] as [string, unknown])),
          fc.option(
            objectOf(
              [
                fc.constantFrom('eq', 'gte', 'lt', ...PROTOTYPE_NAMES).map((o) => ['op', o]),
                maybeHostile(fc.integer({ min: 0, max: 5 }), ctx).map((v) => ['value', v]),
              ],
              ctx,
            ).map((c) => ['count', c] as [string, unknown]),
          ),
        ],
        ctx,
      ),
      fc.oneof(
        fc.constantFrom(...RFM_SEGMENTS, ...PROTOTYPE_NAMES).map((segment) => ({ rfm: { segment } })),
        fc
          .tuple(fc.constantFrom('r', 'f', 'm', ...PROTOTYPE_NAMES), fc.constantFrom('gte', 'between', 'in', 'toString'), comparand)
          .map(([k, op, value]) => ({ rfm: Object.fromEntries([[k, { op, value }]]) })),
      ),
      fc
        .tuple(fc.constantFrom(...ctx.ids, 'no-such-model', '__proto__'), fc.array(maybeHostile(fc.integer({ min: 0, max: 9 }), ctx), { maxLength: 3 }))
        .map(([model, ins]) => ({ cluster: { model, in: ins } })),
    ),
  }));
  return maybeHostile(rule, ctx);
}

const idLike = (name: string) => name === 'id' || name.endsWith('_id') || name === 'model';

/** A string for a schema string node, by its format, pattern or field name. */
function stringArb(schema: JsonSchema, name: string, ctx: GenContext): fc.Arbitrary<unknown> {
  if (schema.format === 'date-time' && ctx.instants) {
    if (name === 'from') return fc.constantFrom(...ctx.instants.from);
    if (name === 'to') return fc.constantFrom(...ctx.instants.to);
    if (name === 'ts' || name === 'signup_at' || name === 'consent_at') return fc.constantFrom(...ctx.instants.recent);
  }
  if (schema.format === 'date-time') return fc.constantFrom(...VALID_INSTANTS);
  if (schema.format === 'date') return fc.constantFrom(...VALID_DATES);
  if (schema.format === 'uri')
    return fc.constantFrom(
      'https://hooks.example.invalid/alert',
      'http://127.0.0.1:1/x',
      'https://169.254.169.254/latest',
      'javascript:alert(1)',
      'file:///etc/passwd',
    );
  if (name === 'tz' || name === 'timezone') return fc.constantFrom(...TIME_ZONES.slice(0, 4));
  if (idLike(name) && ctx.ids.length) return fc.constantFrom(...ctx.ids);
  if (name === 'filters') return fc.array(whereArb(ctx), { maxLength: 2 }).map((w) => JSON.stringify(w));
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 24, 24);
  if (schema.pattern) {
    return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
  }
  return fc.string({ minLength, maxLength: Math.max(minLength, maxLength), unit: fc.constantFrom(...'abcXYZ019_-. 上海é') });
}

function numberArb(schema: JsonSchema): fc.Arbitrary<number> {
  const integer = schema.type === 'integer';
  let min = schema.minimum ?? schema.exclusiveMinimum ?? -1000;
  let max = schema.maximum ?? schema.exclusiveMaximum ?? 1000;
  if (integer) {
    if (schema.exclusiveMinimum !== undefined) min = Math.floor(schema.exclusiveMinimum) + 1;
    if (schema.exclusiveMaximum !== undefined) max = Math.ceil(schema.exclusiveMaximum) - 1;
    return fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) });
  }
  return fc.double({
    min,
    max,
    minExcluded: schema.exclusiveMinimum !== undefined,
    maxExcluded: schema.exclusiveMaximum !== undefined,
    noNaN: true,
    noDefaultInfinity: true,
  });
}

/** A value for `schema` (named `name` in its parent): valid, or mutated when ctx.hostile. */
export function schemaArb(schema: JsonSchema | undefined, name: string, ctx: GenContext, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return maybeHostile(fc.jsonValue({ maxDepth: 1 }), ctx);
  let valid: fc.Arbitrary<unknown>;
  if (Array.isArray(schema.enum)) valid = fc.constantFrom(...schema.enum);
  else if ('const' in schema) valid = fc.constant(schema.const);
  else if (schema.anyOf || schema.oneOf)
    valid = fc.oneof(...(schema.anyOf ?? schema.oneOf).map((s: JsonSchema) => schemaArb(s, name, { ...ctx, hostile: false }, depth + 1)));
  else if (schema.type === 'object') valid = objectArb(schema, ctx, depth);
  else if (schema.type === 'array') valid = arrayArb(schema, name, ctx, depth);
  else if (schema.type === 'string') valid = stringArb(schema, name, ctx);
  else if (schema.type === 'integer' || schema.type === 'number') valid = numberArb(schema);
  else if (schema.type === 'boolean') valid = fc.boolean();
  else if (schema.type === 'null') valid = fc.constant(null);
  else if (name === 'rule') return ruleArb(ctx);
  else if (name === 'where' || name === 'filters') return whereArb(ctx);
  else valid = fc.jsonValue({ maxDepth: 2 });
  return maybeHostile(valid, ctx);
}

function objectArb(schema: JsonSchema, ctx: GenContext, depth: number): fc.Arbitrary<unknown> {
  const required = new Set<string>(schema.required ?? []);
  const entries: fc.Arbitrary<[string, unknown] | null>[] = Object.entries<JsonSchema>(schema.properties ?? {}).map(([key, sub]) => {
    const value = schemaArb(sub, key, ctx, depth + 1).map((v) => [key, v] as [string, unknown]);
    // A required field goes missing now and then when mutating; an optional one half the time.
    if (required.has(key)) return ctx.hostile ? fc.option(value, { freq: 12 }) : value;
    return fc.option(value, { freq: 2 });
  });
  if (schema.patternProperties) {
    const [, sub] = Object.entries<JsonSchema>(schema.patternProperties)[0]!;
    const keys = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...PROTOTYPE_NAMES));
    entries.push(...[0, 1].map(() => fc.option(fc.tuple(keys, schemaArb(sub, 'property', ctx, depth + 1)))));
  }
  return objectOf(entries, ctx);
}

function arrayArb(schema: JsonSchema, name: string, ctx: GenContext, depth: number): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.items)) return fc.tuple(...schema.items.map((s: JsonSchema) => schemaArb(s, name, ctx, depth + 1)));
  const item =
    schema.items && Object.keys(schema.items).length
      ? schemaArb(schema.items, name, ctx, depth + 1)
      : name === 'filters' || name === 'where'
        ? whereArb(ctx)
        : schemaArb(undefined, name, ctx, depth + 1);
  const minLength = ctx.hostile ? 0 : (schema.minItems ?? 0);
  return fc.array(item, {
    minLength,
    maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 4, 4)),
    ...(schema.uniqueItems && !ctx.hostile ? { comparator: 'SameValueZero' as const } : {}),
  });
}

/** Writes a body as JSON text; RawJson values are pasted in as they are. */
export function serializeBody(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `@@RAW${raws.length - 1}@@`;
    }
    return v;
  });
  if (text === undefined) return '';
  return raws.length ? text.replace(/"@@RAW(\d+)@@"/g, (_m, i) => raws[Number(i)]!) : text;
}

/** Percent-encodes any text, lone surrogates too (as the WTF-8 bytes a hostile client would send). */
export function encodeAny(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff)
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    else out += encodeURIComponent(ch);
  }
  return out;
}

/** A query-string value as text: a valid value's text form, or a hostile one. */
export function queryText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (typeof value === 'string') return value;
  return serializeBody(value);
}
