/** A/B experiments: definitions, status, the assignment fast path, results and the planner. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import { CORRECTIONS, ExperimentInput, ExperimentSpec, METRICS } from '../../experiments/experiment-schema.ts';
import { assignmentOf, createExperiment, getExperiment, listExperiments, setExperimentStatus } from '../../experiments/experiments.ts';
import { planExperiment } from '../../experiments/planner.ts';
import { experimentResults } from '../../experiments/results.ts';
import { allocateExperiment } from '../../experiments/allocate.ts';
import type { Services } from '../services.ts';
import { pagedListSchema, readPage } from '../cursor.ts';
import { now } from '../../common/clock.ts';
import { errors } from '../../common/errors.ts';
import { CountsByName, Figure, Measure, Versioned } from '../response-schemas.ts';
import { requestTimeZone } from '../time-zone.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Experiment = Versioned(ExperimentSpec);
const VariantResult = Type.Object({
  key: Type.String(),
  n: Type.Integer(),
  successes: Type.Number(),
  rate: Type.Optional(Type.Unsafe<number>({ ...Measure, description: 'Proportion metrics: the success rate' })),
  mean: Type.Optional(Type.Unsafe<number>({ ...Measure, description: 'Revenue: mean revenue per recipient' })),
  uplift_abs: Measure,
  uplift_rel: Measure,
  ci_low: Measure,
  ci_high: Measure,
  rel_ci_low: Measure,
  rel_ci_high: Measure,
  p_value: Measure,
  p_value_adjusted: Measure,
  prob_to_beat_control: Measure,
  expected_loss: Measure,
  sequential_p_value: Measure,
  sequential_ci_low: Measure,
  sequential_ci_high: Measure,
  sequential_looks: Type.Array(Type.Object({ day: Type.String({ description: 'Local day of the look' }), p_value: Figure }), {
    description: 'The sequential p-value after each daily look; its last value is sequential_p_value',
  }),
  not_enough_information: Type.Union([Type.String(), Type.Null()], { description: 'Why this variant was not compared (impossible or degenerate sums)' }),
  cuped: Type.Union([
    Type.Object(
      {
        theta: Figure,
        variance_reduction: Figure,
        uplift_abs: Figure,
        uplift_rel: Measure,
        ci_low: Figure,
        ci_high: Figure,
        rel_ci_low: Measure,
        rel_ci_high: Measure,
        p_value: Measure,
      },
      { description: 'CUPED-adjusted comparison (pre-period covariate), beside the unadjusted one' },
    ),
    Type.Null(),
  ]),
});
const Guardrail = Type.Object({
  event_type: Type.String(),
  harm_detected: Type.Boolean(),
  variants: Type.Array(
    Type.Object({
      key: Type.String(),
      n: Type.Integer(),
      successes: Type.Integer(),
      rate: Figure,
      uplift_abs: Measure,
      uplift_rel: Measure,
      ci_low: Measure,
      ci_high: Measure,
      p_value: Measure,
      harm_detected: Type.Boolean(),
    }),
  ),
});
const ExperimentResults = Type.Object({
  experiment_id: Type.String(),
  metric: Type.Enum([...METRICS]),
  timezone: Type.String(),
  correction: Type.Enum([...CORRECTIONS]),
  cuped_days: Type.Integer(),
  variants: Type.Array(VariantResult),
  guardrails: Type.Array(Guardrail),
  srm_p_value: Figure,
  srm_detected: Type.Boolean(),
  verdict: Type.String(),
});
export type ExperimentResultsAnswer = Static<typeof ExperimentResults>;
const Allocation = Type.Object({
  experiment_id: Type.String(),
  audience_id: Type.String(),
  audience_version: Type.Integer(),
  counts: CountsByName,
  exposures: Type.Integer(),
  variant_audiences: Type.Record(Type.String(), Type.Object({ audience_id: Type.String(), version: Type.Integer() })),
});
// Computed: a whole number of recipients, unbounded (null) for an effect too small to detect.
const Plan = Type.Object({
  recipients_per_arm: Figure,
  recipients_total: Figure,
  arms: Type.Integer(),
  alpha_per_comparison: Figure,
  power: Figure,
  treated_rate: Figure,
  days: Type.Optional(Figure),
});

export const experimentRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  app.post(
    '/experiments',
    { config: { roles: ['marketer', 'admin'] }, schema: { summary: 'Create an experiment (draft)', body: ExperimentInput, response: { 201: Experiment } } },
    async (request, reply) => {
      const created = await createExperiment(warehouse, request.principal.workspaceId, request.body, request.principal.keyId);
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/experiments',
    {
      config: { roles: ['marketer', 'admin', 'analyst'] },
      schema: pagedListSchema('Experiments, a page at a time', 'experiments', Experiment, config.server.maxPageSize),
    },
    (request) =>
      readPage(
        'experiments',
        request.query,
        (limit, after) => listExperiments(warehouse, request.principal.workspaceId, limit, after),
        (e) => e.id,
      ),
  );

  const one = { params: IdParams, response: { 200: Experiment } };
  app.get('/experiments/:id', { config: { roles: ['marketer', 'admin', 'analyst'] }, schema: { summary: 'One experiment', ...one } }, async (request) => {
    const { id } = request.params;
    const experiment = await getExperiment(warehouse, request.principal.workspaceId, id);
    if (!experiment) throw errors.notFound(`experiment ${id}`);
    return experiment;
  });

  for (const [action, status] of [
    ['start', 'running'],
    ['stop', 'stopped'],
  ] as const) {
    const options = { config: { roles: ['marketer', 'admin'] as const }, schema: { summary: `${action} the experiment`, ...one } };
    app.post(`/experiments/:id/${action}`, options, async (request) => {
      const { id } = request.params;
      const changed = await setExperimentStatus(warehouse, request.principal.workspaceId, id, status, request.principal.keyId);
      if (!changed) throw errors.notFound(`experiment ${id}`);
      return changed;
    });
  }

  app.get(
    '/experiments/:id/assignment',
    {
      config: { roles: ['sender', 'marketer', 'admin'] },
      schema: {
        summary: "A user's variant (deterministic; no warehouse round trip once the experiment is cached)",
        params: IdParams,
        querystring: Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ experiment_id: Type.String(), user_id: Type.String(), variant: Type.String({ description: 'A variant key, or the holdout' }) }),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { user_id } = request.query;
      const variant = await assignmentOf(warehouse, request.principal.workspaceId, id, user_id);
      if (variant === undefined) throw errors.notFound(`experiment ${id}`);
      return { experiment_id: id, user_id, variant };
    },
  );

  app.get(
    '/experiments/:id/results',
    {
      config: { roles: ['analyst', 'marketer', 'admin'] },
      schema: {
        summary: 'Per-variant results against the control, with significance and a verdict',
        params: IdParams,
        querystring: Type.Object(
          {
            metric: Type.Optional(Type.Enum([...METRICS])),
            tz: Type.Optional(Type.String({ maxLength: 64 })),
            correction: Type.Optional(Type.Enum([...CORRECTIONS], { description: "Overrides the experiment's adjustment: holm or bh" })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ExperimentResults },
      },
    },
    async (request) => {
      const { id } = request.params;
      const experiment = await getExperiment(warehouse, request.principal.workspaceId, id);
      if (!experiment) throw errors.notFound(`experiment ${id}`);
      const metric = request.query.metric ?? experiment.spec.metrics[0]!;
      const timezone = await requestTimeZone(request, warehouse);
      return experimentResults(warehouse, request.principal.workspaceId, experiment, metric, timezone, { correction: request.query.correction });
    },
  );

  app.post(
    '/experiments/:id/allocate',
    {
      config: { roles: ['marketer', 'admin'] },
      schema: {
        summary: 'Split an audience snapshot into per-variant audiences and record exposures',
        params: IdParams,
        body: Type.Object(
          { audience_id: Type.String({ minLength: 1, maxLength: 64 }), version: Type.Optional(Type.Integer({ minimum: 1 })) },
          { additionalProperties: false },
        ),
        response: { 200: Allocation },
      },
    },
    async (request) => {
      const { id } = request.params;
      return allocateExperiment(warehouse, request.principal.workspaceId, id, request.body, { nowMs: now(), changedBy: request.principal.keyId });
    },
  );

  app.post(
    '/experiments/plan',
    {
      config: { roles: ['analyst', 'marketer', 'admin'] },
      schema: {
        summary: 'Recipients per arm for a two-sided test, and days at a daily volume',
        body: Type.Object(
          {
            baseline_rate: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
            mde_rel: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
            alpha: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 0.5 })),
            power: Type.Optional(Type.Number({ minimum: 0.5, exclusiveMaximum: 1 })),
            variants: Type.Optional(Type.Integer({ minimum: 2, maximum: 20 })),
            daily_volume: Type.Optional(Type.Integer({ minimum: 1 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Plan },
      },
    },
    async (request) => {
      return planExperiment(request.body);
    },
  );
};
