/** The experiment definition, defined once for request validation, OpenAPI and the stored spec. */
import Type, { type Static } from 'typebox';

export const METRICS = ['conversion', 'click', 'delivery', 'revenue'] as const;
export type Metric = (typeof METRICS)[number];
export const STATUSES = ['draft', 'running', 'stopped'] as const;

export const ExperimentInput = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Defaults to a new UUID' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    variants: Type.Array(
      Type.Object(
        { key: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), weight: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }) },
        { additionalProperties: false },
      ),
      { minItems: 2, maxItems: 20, description: 'The first variant is the control' },
    ),
    holdout: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1, description: 'Share of users kept out of the experiment' })),
    salt: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Defaults to the experiment id; a new salt reshuffles users' })),
    metrics: Type.Optional(Type.Array(Type.Enum([...METRICS]), { minItems: 1, maxItems: 4, uniqueItems: true })),
    attribution_hours: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 24 * 60, description: 'An outcome counts if it follows the first exposure within this many hours (default 72)' }),
    ),
    mde_rel: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 10, description: 'Expected relative effect; sets the sequential test mixing (default 0.1)' }),
    ),
  },
  { additionalProperties: false },
);
export type ExperimentInput = Static<typeof ExperimentInput>;

/** What is stored as the experiment's spec (and answered by the API). */
export const ExperimentSpec = Type.Object({
  variants: Type.Array(Type.Object({ key: Type.String(), weight: Type.Number() })),
  holdout: Type.Number(),
  salt: Type.String(),
  metrics: Type.Array(Type.Enum([...METRICS])),
  attribution_hours: Type.Integer(),
  mde_rel: Type.Number(),
  status: Type.Enum([...STATUSES]),
  started_at: Type.Optional(Type.String()),
  stopped_at: Type.Optional(Type.String()),
});
export type ExperimentSpec = Static<typeof ExperimentSpec>;
