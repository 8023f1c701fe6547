/** Analysts' reads: funnels, metric series and headline cards. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { BREAKDOWNS, validateWhere } from '../../analytics/event-filters.ts';
import { runFunnel } from '../../analytics/funnels.ts';
import { ATTRIBUTIONS, FUNNEL_ORDERS, WINDOW_UNITS, funnelWindow, validateExclusions } from '../../analytics/funnel-request.ts';
import { INTERVALS, METRICS, metricSeries, metricSummary } from '../../analytics/metrics.ts';
import { sendTimeGrid } from '../../analytics/send-time.ts';
import { MAX_VALUES, eventColumnValues } from '../../analytics/event-values.ts';
import { queryRange } from '../../analytics/time-range.ts';
import { getSegment } from '../../segmentation/segments.ts';
import { EVENT_TYPES } from '../../ingest/event-schema.ts';
import type { WhereClause } from '../../segmentation/rule-types.ts';
import type { Services } from '../services.ts';
import { errors } from '../../common/errors.ts';
import { Figure, Measure } from '../response-schemas.ts';
import { requestTimeZone } from '../time-zone.ts';

const readers = { roles: ['analyst', 'marketer', 'admin'] as const };

/** `filters` comes as a JSON array in the query string. */
function queryFilters(raw: string | undefined): WhereClause[] {
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw errors.invalid('filters', 'must be a JSON array of {prop, op, value}');
  }
  return validateWhere(parsed, 'filters');
}

const Time = Type.String({ format: 'date-time' });
const Step = Type.Union([
  Type.Enum([...EVENT_TYPES]),
  Type.Object({ type: Type.Enum([...EVENT_TYPES]), where: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 20 })) }, { additionalProperties: false }),
]);

const rate = Measure;
const FunnelSteps = Type.Array(
  Type.Object({
    type: Type.String(),
    count: Type.Integer(),
    conversion_from_previous: rate,
    conversion_from_first: rate,
    median_seconds_from_previous: Measure,
    average_seconds_from_previous: Measure,
  }),
);
const TimeToConvert = Type.Array(Type.Object({ from_seconds: Type.Number(), to_seconds: Type.Number(), count: Type.Integer() }));
const FunnelResult = Type.Object({
  unit: Type.Enum(['user', 'message']),
  order: Type.Enum([...FUNNEL_ORDERS]),
  window: Type.Object({ value: Type.Integer(), unit: Type.Enum([...WINDOW_UNITS]) }),
  window_hours: Type.Number(),
  breakdown_attribution: Type.Optional(Type.Enum([...ATTRIBUTIONS])),
  times_sampled: Type.Boolean(),
  steps: FunnelSteps,
  time_to_convert: TimeToConvert,
  breakdowns: Type.Optional(Type.Array(Type.Object({ value: Type.String(), steps: FunnelSteps, time_to_convert: TimeToConvert }))),
});
const FunnelExclusion = Type.Object(
  {
    type: Type.Enum([...EVENT_TYPES]),
    where: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 20 })),
    from_step: Type.Integer({ minimum: 1, maximum: 8 }),
    to_step: Type.Integer({ minimum: 2, maximum: 8 }),
  },
  { additionalProperties: false },
);
const MetricSeries = Type.Object({
  metric: Type.Enum([...METRICS]),
  interval: Type.Enum([...INTERVALS]),
  timezone: Type.String(),
  from: Type.String(),
  to: Type.String(),
  breakdown: Type.Optional(Type.Enum([...BREAKDOWNS])),
  series: Type.Array(
    Type.Object({
      bucket: Type.String({ description: 'Bucket start as an instant (UTC, Z)' }),
      local: Type.String({ description: 'Bucket start as local wall time in the zone used' }),
      group: Type.Optional(Type.String()),
      numerator: Type.Number(),
      denominator: Type.Number(),
      rate,
    }),
  ),
});
const SendTimeGrid = Type.Object({
  metric: Type.Enum(['click_rate', 'conversion_rate']),
  timezone: Type.String(),
  overall_rate: Figure,
  delivered: Type.Number(),
  prior_strength: Type.Number(),
  quiet_hours: Type.Object({ start: Type.String(), end: Type.String() }),
  grid: Type.Array(
    Type.Array(
      Type.Object({
        weekday: Type.Integer(),
        hour: Type.Integer(),
        delivered: Type.Number(),
        successes: Type.Number(),
        rate,
        shrunk_rate: Figure,
        quiet: Type.Boolean(),
      }),
    ),
    { description: 'Weekdays from Monday, then hours 0-23' },
  ),
  recommended: Type.Optional(
    Type.Object({
      weekday: Type.Integer(),
      day: Type.Optional(Type.String()),
      start: Type.String(),
      end: Type.String(),
      expected_rate: Figure,
      delivered: Type.Number(),
    }),
  ),
});
const ColumnValues = Type.Object({
  column: Type.Enum([...BREAKDOWNS]),
  values: Type.Array(Type.Object({ value: Type.String(), events: Type.Integer() })),
  truncated: Type.Boolean({ description: 'More values exist than were listed' }),
});
const MetricCards = Type.Object({
  timezone: Type.String(),
  cards: Type.Array(
    Type.Object({
      metric: Type.Enum([...METRICS]),
      numerator: Type.Number(),
      denominator: Type.Number(),
      rate,
      threshold: Type.Optional(Type.Object({ below: Type.Optional(Type.Number()), atOrAbove: Type.Optional(Type.Number()) })),
      status: Type.Enum(['ok', 'alarm', 'no_data']),
    }),
  ),
});

export const analyticsRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse }) => {
  app.post(
    '/funnels',
    {
      config: readers,
      schema: {
        summary: 'Funnel (ordered, strict or unordered steps, exclusions, times to convert), by user or by message, with breakdown and filters',
        body: Type.Object(
          {
            steps: Type.Array(Step, { minItems: 2, maxItems: 8 }),
            window: Type.Optional(Type.Object({ value: Type.Integer({ minimum: 1 }), unit: Type.Enum([...WINDOW_UNITS]) }, { additionalProperties: false })),
            window_hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 90 })),
            from: Time,
            to: Time,
            unit: Type.Optional(Type.Enum(['user', 'message'])),
            order: Type.Optional(Type.Enum([...FUNNEL_ORDERS])),
            exclusions: Type.Optional(Type.Array(FunnelExclusion, { maxItems: 8 })),
            breakdown: Type.Optional(Type.Enum([...BREAKDOWNS])),
            breakdown_attribution: Type.Optional(Type.Enum([...ATTRIBUTIONS])),
            filters: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 20 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: FunnelResult },
      },
    },
    async (request) => {
      const { body } = request;
      const steps = body.steps.map((s, i) => (typeof s === 'string' ? { type: s } : { type: s.type, where: validateWhere(s.where, `steps[${i}].where`) }));
      const filters = validateWhere(body.filters, 'filters');
      const unit = body.unit ?? 'user';
      const order = body.order ?? 'ordered';
      const window = funnelWindow(body.window, body.window_hours);
      const exclusions = validateExclusions(body.exclusions ?? [], steps.length, order);
      const attribution = body.breakdown ? (body.breakdown_attribution ?? 'first_touch') : undefined;
      const result = await runFunnel(warehouse, request.principal.workspaceId, {
        steps,
        windowMs: window.ms,
        ...queryRange(body.from, body.to),
        unit,
        order,
        exclusions,
        breakdown: body.breakdown,
        attribution,
        filters,
      });
      return {
        unit,
        order,
        window: { value: window.value, unit: window.unit },
        window_hours: window.ms / 3600_000,
        ...(attribution && { breakdown_attribution: attribution }),
        ...result,
      };
    },
  );

  const MetricQuery = {
    from: Time,
    to: Time,
    tz: Type.Optional(Type.String({ maxLength: 64 })),
    filters: Type.Optional(Type.String({ maxLength: 4000, description: 'JSON array of {prop, op, value}' })),
  };

  app.get(
    '/metrics',
    {
      config: readers,
      schema: {
        summary: 'A metric as a time series (numerator, denominator, rate per bucket), buckets cut in the workspace zone',
        querystring: Type.Object(
          {
            metric: Type.Enum([...METRICS]),
            interval: Type.Optional(Type.Enum([...INTERVALS])),
            breakdown: Type.Optional(Type.Enum([...BREAKDOWNS])),
            ...MetricQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: MetricSeries },
      },
    },
    async (request) => {
      const q = request.query;
      const tz = await requestTimeZone(request, warehouse);
      const interval = q.interval ?? 'day';
      const series = await metricSeries(warehouse, request.principal.workspaceId, q.metric, {
        ...queryRange(q.from, q.to),
        interval,
        tz,
        breakdown: q.breakdown,
        filters: queryFilters(q.filters),
      });
      return {
        metric: q.metric,
        interval,
        timezone: tz,
        from: new Date(q.from).toISOString(),
        to: new Date(q.to).toISOString(),
        ...(q.breakdown && { breakdown: q.breakdown }),
        series,
      };
    },
  );

  app.get(
    '/insights/send-time',
    {
      config: readers,
      schema: {
        summary: 'Hour-of-week grid of rates per delivered message (workspace zone), shrunk toward the mean, and a recommended window outside quiet hours',
        querystring: Type.Object(
          {
            metric: Type.Optional(Type.Enum(['click_rate', 'conversion_rate'])),
            segment_id: Type.Optional(Type.String({ maxLength: 64 })),
            from: Time,
            to: Time,
            tz: Type.Optional(Type.String({ maxLength: 64 })),
            quiet_hours: Type.Optional(
              Type.String({ pattern: '^([01]?[0-9]|2[0-3])-([01]?[0-9]|2[0-3])$', description: 'Local quiet hours start-end, e.g. 22-8 (default)' }),
            ),
            window_hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 12 })),
            prior_strength: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SendTimeGrid },
      },
    },
    async (request) => {
      const q = request.query;
      const ws = request.principal.workspaceId;
      let rule;
      if (q.segment_id) {
        const segment = await getSegment(warehouse, ws, q.segment_id);
        if (!segment) throw errors.notFound(`segment ${q.segment_id}`);
        rule = segment.spec.rule;
      }
      const [start, end] = (q.quiet_hours ?? '22-8').split('-').map(Number) as [number, number];
      return sendTimeGrid(warehouse, ws, {
        metric: q.metric ?? 'click_rate',
        ...queryRange(q.from, q.to),
        tz: await requestTimeZone(request, warehouse),
        quiet: [start, end],
        windowHours: q.window_hours ?? 2,
        priorStrength: q.prior_strength ?? 50,
        rule,
      });
    },
  );

  app.get(
    '/metrics/summary',
    {
      config: readers,
      schema: {
        summary: 'Headline cards: every metric over the range, with the alarm levels',
        querystring: Type.Object(MetricQuery, { additionalProperties: false }),
        response: { 200: MetricCards },
      },
    },
    async (request) => {
      const q = request.query;
      const tz = await requestTimeZone(request, warehouse);
      return {
        timezone: tz,
        cards: await metricSummary(warehouse, request.principal.workspaceId, { ...queryRange(q.from, q.to), tz, filters: queryFilters(q.filters) }),
      };
    },
  );

  app.get(
    '/events/values',
    {
      config: readers,
      schema: {
        summary: 'The most frequent values of one event column in a time range (filter pickers), most frequent first',
        querystring: Type.Object(
          {
            column: Type.Enum([...BREAKDOWNS]),
            from: Time,
            to: Time,
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_VALUES, description: `Default 100, at most ${MAX_VALUES}` })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ColumnValues },
      },
    },
    async (request) => {
      const q = request.query;
      return eventColumnValues(warehouse, request.principal.workspaceId, { column: q.column, ...queryRange(q.from, q.to), limit: q.limit ?? 100 });
    },
  );
};
