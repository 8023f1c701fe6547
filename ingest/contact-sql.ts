/**
 * The column lists of every statement that carries contact columns, rendered from CONTACT_FIELDS into
 * the statements' `{{slots}}` (names and expressions only: values stay `{name:Type}` parameters), and the
 * columns each contact table must have, which a test compares with the migrated tables.
 */
import { sqlWithGenerated } from '../warehouse/sql-files.ts';
import { contactFieldEntries, type ContactFieldList, type ContactFieldSpec } from './contact-schema.ts';

/** The stored value the merge writes for one field (sql/queries/imports/contacts-merged.sql states the rules). */
function mergedExpression(name: string, spec: ContactFieldSpec): string {
  switch (spec.merge) {
    case 'identity':
      return `assumeNotNull(r.uid) AS ${name}`;
    case 'map-update':
      return `mapUpdate(c.${name}, r.${name}) AS ${name}`;
    case 'replace':
      return spec.empty === 'NULL' ? `coalesce(r.${name}, c.${name}) AS ${name}` : `coalesce(r.${name}, c.${name}, ${spec.empty}) AS ${name}`;
  }
}

/** The contact statements' slots for a field list. */
export function contactSqlSlots(fields: ContactFieldList = contactFieldEntries()): Readonly<Record<string, string>> {
  const names = fields.map(([name]) => name);
  return Object.freeze({
    /** Every contact column, in definition order. */
    contact_columns: names.join(', '),
    /** The columns an audience snapshot copies. */
    audience_columns: fields
      .filter(([, spec]) => spec.audience)
      .map(([name]) => name)
      .join(', '),
    /** The first staged line of a key, as one tuple (argMin of a tuple keeps its NULLs together). */
    staged_first: `argMin((${names.join(', ')}, tags), line)`,
    /** That tuple unpacked into named columns. */
    staged_first_columns: [...names, 'tags'].map((name, i) => `first.${i + 1} AS ${name}`).join(', '),
    /** The merged value of every field: r = the staged row, c = the stored contact. */
    merged_columns: fields.map(([name, spec]) => mergedExpression(name, spec)).join(',\n    '),
  });
}

const CONTACT_SQL_SLOTS = contactSqlSlots();

const renderedContactSql = new Map<string, string>();

/**
 * The statement `sql/queries/<name>.sql` with its contact slots (and any other generated ones) filled; rendered once
 * per statement for the platform's own fields (tests pass other field lists).
 */
export function contactSql(name: string, slots: Record<string, string> = {}, contactSlots = CONTACT_SQL_SLOTS): string {
  const cacheable = Object.keys(slots).length === 0 && contactSlots === CONTACT_SQL_SLOTS;
  const cached = cacheable ? renderedContactSql.get(name) : undefined;
  if (cached !== undefined) return cached;
  const rendered = sqlWithGenerated(name, { ...contactSlots, ...slots });
  if (cacheable) renderedContactSql.set(name, rendered);
  return rendered;
}

const unwrap = (type: string, wrapper: string) => (type.startsWith(`${wrapper}(`) ? type.slice(wrapper.length + 1, -1) : type);
/** A field's type in the staging table: nullable (NULL = not given), maps stay maps (empty = nothing given). */
const stagedType = (spec: ContactFieldSpec) =>
  spec.merge === 'map-update' ? spec.column : `Nullable(${unwrap(unwrap(spec.column, 'Nullable'), 'LowCardinality')})`;
/** A field's type in the merge result: the stored type without LowCardinality. */
const pendingType = (spec: ContactFieldSpec) => unwrap(spec.column, 'LowCardinality');

/** The columns each table carrying contact fields must have (name → ClickHouse type), from CONTACT_FIELDS. */
export function expectedContactTables(fields: ContactFieldList = contactFieldEntries()): Record<string, Map<string, string>> {
  const table = (before: [string, string][], type: (spec: ContactFieldSpec) => string, after: [string, string][], only: ContactFieldList = fields) =>
    new Map([...before, ...only.map(([name, spec]): [string, string] => [name, type(spec)]), ...after]);
  const ws: [string, string] = ['workspace_id', 'LowCardinality(String)'];
  const imp: [string, string] = ['import_id', 'String'];
  const tags: [string, string] = ['tags', 'Array(Tuple(String, String))'];
  return {
    contacts: table([ws], (s) => s.column, [['updated_at', "DateTime64(3, 'UTC')"]]),
    contact_import_rows: table([ws, imp, ['line', 'UInt32'], ['key', 'String']], stagedType, [tags, ['staged_at', 'DateTime']]),
    contact_import_pending: table(
      [ws, imp, ['existed', 'UInt8'], ['previous_consent', 'Nullable(String)']],
      (s) => (s.merge === 'identity' ? 'String' : pendingType(s)),
      [tags, ['previous_updated_at', "Nullable(DateTime64(3, 'UTC'))"]],
    ),
    audience_members: table(
      [ws, ['audience_id', 'String'], ['version', 'UInt32']],
      (s) => s.column,
      [['excluded', 'LowCardinality(String)']],
      fields.filter(([, spec]) => spec.audience),
    ),
  };
}

/** Differences between the definition and a table's actual columns (any order); empty when they agree. */
export function contactTableMismatches(table: string, actual: readonly { name: string; type: string }[], fields?: ContactFieldList): string[] {
  const expected = expectedContactTables(fields)[table];
  if (!expected) return [`${table} is not a contact table`];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { name, type } of actual) {
    seen.add(name);
    const want = expected.get(name);
    if (want === undefined) problems.push(`${table}.${name} (${type}) is in the table but not in CONTACT_FIELDS`);
    else if (want !== type) problems.push(`${table}.${name}: table has ${type}, CONTACT_FIELDS says ${want}`);
  }
  for (const name of expected.keys()) if (!seen.has(name)) problems.push(`${table}.${name} is in CONTACT_FIELDS but not in the table`);
  return problems;
}
