/**
 * The event shape, defined once. From EVENT_FIELDS come the request schema (validation and OpenAPI),
 * the TypeScript type (Static) and the expected ClickHouse columns; a test compares those columns with
 * the migrated `events` table, so the three cannot drift apart unnoticed.
 */
import Type, { type Static, type TSchema } from 'typebox';

export const EVENT_TYPES = ['send', 'delivery', 'click', 'conversion', 'unsubscribe', 'reply', 'complaint', 'exposure'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** send: accepted | rejected by the carrier gateway; delivery: the receipt's outcome. */
export const EVENT_STATUSES = ['accepted', 'rejected', 'delivered', 'failed'] as const;

/** 2100-01-01: later epoch milliseconds are mistakes (and past 8.64e15 not even a JS date). */
export const MAX_EPOCH_MS = 4_102_444_800_000;

const id = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });
const label = (description: string) => Type.String({ maxLength: 64, description });

interface FieldSpec {
  schema: TSchema;
  /** ClickHouse column type, exactly as system.columns reports it. */
  column: string;
  required?: boolean;
}

const enumColumn = (values: readonly string[]) => `Enum8(${values.map((v, i) => `'${v}' = ${i + 1}`).join(', ')})`;

export const EVENT_FIELDS = {
  event_id: { schema: id('Unique per workspace; a re-sent event with the same id is stored once'), column: 'String', required: true },
  type: { schema: Type.Enum([...EVENT_TYPES], { description: 'Event type' }), column: enumColumn(EVENT_TYPES), required: true },
  ts: {
    schema: Type.Union([
      Type.String({ format: 'date-time', description: 'ISO 8601 with an offset or Z' }),
      Type.Integer({ minimum: 0, maximum: MAX_EPOCH_MS, description: 'Milliseconds since the Unix epoch' }),
    ]),
    column: "DateTime64(3, 'UTC')",
    required: true,
  },
  user_id: { schema: Type.String({ maxLength: 128 }), column: 'String' },
  phone: { schema: Type.String({ maxLength: 32, description: 'Mobile number; stored in E.164' }), column: 'String' },
  campaign_id: { schema: Type.String({ maxLength: 128 }), column: 'String' },
  template_id: { schema: Type.String({ maxLength: 128 }), column: 'String' },
  message_id: { schema: Type.String({ maxLength: 128 }), column: 'String' },
  channel: { schema: label('106 (short code), card (SIM sending), intl, ...'), column: 'LowCardinality(String)' },
  carrier: { schema: label('China Mobile, China Unicom, China Telecom, ...'), column: 'LowCardinality(String)' },
  region: { schema: label('Province or region'), column: 'LowCardinality(String)' },
  status: { schema: Type.Enum([...EVENT_STATUSES], { description: 'send: accepted|rejected; delivery: delivered|failed' }), column: 'LowCardinality(String)' },
  error_code: { schema: label('Carrier error code of a failed delivery'), column: 'LowCardinality(String)' },
  revenue: { schema: Type.Number({ minimum: 0, maximum: 1e12, description: 'Order amount of a conversion' }), column: 'Decimal(18, 4)' },
  experiment_id: { schema: Type.String({ maxLength: 128 }), column: 'String' },
  variant: { schema: label('Experiment variant key'), column: 'LowCardinality(String)' },
  properties: {
    schema: Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean()]), {
      maxProperties: 64,
      description: 'Free-form properties, stored as strings',
    }),
    column: 'Map(String, String)',
  },
} satisfies Record<string, FieldSpec>;

export type EventField = keyof typeof EVENT_FIELDS;

/** Columns the server fills in, not the sender. */
export const SERVER_COLUMNS = {
  workspace_id: 'LowCardinality(String)',
  ingested_at: "DateTime64(3, 'UTC')",
} as const;

type Fields = typeof EVENT_FIELDS;
type RequiredKeys = { [K in keyof Fields]: Fields[K] extends { required: true } ? K : never }[keyof Fields];

function buildEventSchema() {
  const properties: Record<string, TSchema> = {};
  for (const [name, spec] of Object.entries(EVENT_FIELDS) as [string, FieldSpec][]) {
    properties[name] = spec.required ? spec.schema : Type.Optional(spec.schema);
  }
  return Type.Object(properties, { additionalProperties: false, $id: 'Event' });
}

/** JSON Schema of one incoming event. */
export const EventSchema = buildEventSchema() as unknown as ReturnType<
  typeof Type.Object<
    { [K in RequiredKeys]: Fields[K]['schema'] } & {
      [K in Exclude<keyof Fields, RequiredKeys>]: ReturnType<typeof Type.Optional<Fields[K]['schema']>>;
    }
  >
>;

/** An event as a sender posts it. */
export type EventInput = Static<typeof EventSchema>;

/** An event as stored: one row of the events table. */
export type EventRow = { [K in EventField]-?: K extends 'revenue' ? number : K extends 'properties' ? Record<string, string> : string } & {
  workspace_id: string;
};

/** The columns the events table must have, name → ClickHouse type. */
export function expectedEventColumns(): Map<string, string> {
  const columns = new Map<string, string>(Object.entries(SERVER_COLUMNS));
  for (const [name, spec] of Object.entries(EVENT_FIELDS) as [string, FieldSpec][]) columns.set(name, spec.column);
  return columns;
}

/** Differences between the event definition and the table's actual columns; empty when they agree. */
export function eventSchemaMismatches(actual: readonly { name: string; type: string }[], expected = expectedEventColumns()): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { name, type } of actual) {
    seen.add(name);
    const want = expected.get(name);
    if (want === undefined) problems.push(`column ${name} (${type}) is in the table but not in the event schema`);
    else if (want !== type) problems.push(`column ${name}: table has ${type}, event schema says ${want}`);
  }
  for (const name of expected.keys()) if (!seen.has(name)) problems.push(`field ${name} is in the event schema but not in the table`);
  return problems;
}
