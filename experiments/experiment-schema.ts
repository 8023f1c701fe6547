/** The experiment definition, defined once for request validation, OpenAPI and the stored spec. */
import Type, { type Static } from 'typebox';
import { EVENT_TYPES } from '../ingest/event-schema.ts';

export const METRICS = ['conversion', 'click', 'delivery', 'revenue'] as const;
export type Metric = (typeof METRICS)[number];
export const STATUSES = ['draft', 'running', 'stopped'] as const;
/** Event types a guardrail may watch: any but the exposure itself. */
export const GUARDRAIL_EVENTS = EVENT_TYPES.filter((t) => t !== 'exposure');
export const CORRECTIONS = ['holm', 'bh'] as const;
export const DEFAULT_CUPED_DAYS = 14;

const Guardrails = Type.Array(Type.Enum([...GUARDRAIL_EVENTS]), {
  maxItems: 5,
  uniqueItems: true,
  description: 'Event types whose rate must not rise (e.g. unsubscribe, complaint): harm is reported beside the primary metric',
});
const CorrectionField = Type.Enum([...CORRECTIONS], { description: 'Multiple-comparison adjustment across variants: Holm (default) or Benjamini–Hochberg' });
const CupedDays = Type.Integer({ minimum: 0, maximum: 90, description: 'CUPED pre-period: days before each first exposure (default 14; 0 turns CUPED off)' });

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
    guardrails: Type.Optional(Guardrails),
    correction: Type.Optional(CorrectionField),
    cuped_days: Type.Optional(CupedDays),
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
  // Optional: specs stored before these existed read as [], holm and 14.
  guardrails: Type.Optional(Type.Array(Type.Enum([...GUARDRAIL_EVENTS]))),
  correction: Type.Optional(Type.Enum([...CORRECTIONS])),
  cuped_days: Type.Optional(Type.Integer()),
  status: Type.Enum([...STATUSES]),
  started_at: Type.Optional(Type.String()),
  stopped_at: Type.Optional(Type.String()),
});
export type ExperimentSpec = Static<typeof ExperimentSpec>;
