/**
 * Response shapes several routes share. Fastify serializes an answer from its schema and DROPS any
 * property the schema does not name, so an open shape (rule trees, free-form maps) says so here.
 */
import Type, { type TSchema } from 'typebox';
import type { nothingAccepted } from './ndjson.ts';

/** A value or null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * A computed figure (a rate, a p-value, a bound): a number, or null when it cannot be computed. Untyped on
 * purpose: the serializer then writes it as JSON.stringify does (NaN and ±Infinity as null) where a typed
 * number would fail on NaN and turn null into 0.
 */
export const Measure = Type.Unsafe<number | null>({ description: 'A number, or null when it cannot be computed' });

/** A computed figure that is a number whenever it can be computed (written as JSON.stringify would, like Measure). */
export const Figure = Type.Unsafe<number>(Measure);

/** Figures keyed by a name (silhouette by k). */
export const MeasuresByName = Type.Record(Type.String(), Measure);

/** An answer with no body (204): `reply.send()` with nothing. */
export const NoContent = Type.Unsafe<undefined>({ description: 'No content' });

/** A JSON value passed through as is (a rule tree, an eligibility object). */
export const AnyJson = Type.Unknown();

/** Counts keyed by a name (event types, RFM segments, variants). */
export const CountsByName = Type.Record(Type.String(), Type.Number());

/** Items of a list body that were refused, with their index and reason. */
export const Rejected = Type.Array(Type.Object({ index: Type.Integer(), error: Type.Object({ field: Type.Optional(Type.String()), message: Type.String() }) }));

/** The 400 of a list body none of whose items was accepted: the error, and every item's reason. */
export const NothingAccepted = Type.Unsafe<ReturnType<typeof nothingAccepted>>(
  Type.Object(
    {
      statusCode: Type.Integer(),
      code: Type.String(),
      message: Type.String(),
      field: Type.Optional(Type.String()),
      rejected: Type.Optional(Rejected),
    },
    { additionalProperties: true },
  ),
);

/** A versioned object as stored (segments, experiments, cluster models): its newest version. */
export const Versioned = <Spec extends TSchema>(spec: Spec) =>
  Type.Object({
    id: Type.String(),
    version: Type.Integer(),
    name: Type.String(),
    spec,
    changed_at: Type.String({ description: 'ISO 8601, UTC' }),
    changed_by: Type.String({ description: 'Key id of the change' }),
  });

/** The cursor of the next page, null on the last one. */
export const NextCursor = Nullable(Type.String({ description: 'Pass as `cursor` to get the next page' }));

/** One page of a list: the items under `name`, and the cursor of the next page. */
export const PageOf = <T extends TSchema, N extends string>(name: N, item: T) =>
  Type.Object({ [name]: Type.Array(item), next_cursor: NextCursor } as { [K in N]: ReturnType<typeof Type.Array<T>> } & { next_cursor: typeof NextCursor });

/** A finding of the copy checks on a template's text. */
export const CopyFinding = Type.Object({
  code: Type.String(),
  severity: Type.Enum(['error', 'warning', 'info']),
  message_en: Type.String(),
  message_zh: Type.String(),
  position: Type.Optional(Type.Integer({ description: 'UTF-16 index in the message as sent' })),
});

/** An error code of failed delivery receipts ('' = no code), its count and share of the failed receipts. */
export const ErrorCodeShare = Type.Object({ code: Type.String(), count: Type.Integer(), share: Figure });
