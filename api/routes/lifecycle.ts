/** Lifecycle stages: the workspace's thresholds, the stage report week over week, and re-activation after a campaign. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { now } from '../../common/clock.ts';
import { DEFAULT_LIFECYCLE, LIFECYCLE_STAGES, lifecycleSettings, saveLifecycleSettings } from '../../segmentation/lifecycle-settings.ts';
import { lifecycleReport, MAX_REACTIVATION_DAYS, MAX_REPORT_WEEKS, reactivationRate } from '../../segmentation/lifecycle-report.ts';
import { Measure, Nullable } from '../response-schemas.ts';
import type { Services } from '../services.ts';
import { requestTimeZone } from '../time-zone.ts';

const Days = (description: string) => Type.Integer({ minimum: 1, maximum: 3650, description });
const Counts = (description: string) => Type.Integer({ minimum: 2, maximum: 1_000_000, description });
const Thresholds = Type.Object(
  {
    new_days: Type.Optional(Days('new: signed up within this many days (default 15)')),
    dormant_days: Type.Optional(Days('dormant: no interaction for this many days (default 30)')),
    churned_days: Type.Optional(Days('churned, the re-activation target: no interaction for this many days (default 90); more than dormant_days')),
    purchase_window_days: Type.Optional(Days('conversions for repeat and loyal are counted over this many days (default 90, at least 7)')),
    repeat_conversions: Type.Optional(Counts('repeat: at least this many conversions in the window (default 2)')),
    loyal_conversions: Type.Optional(Counts('loyal: at least this many conversions in the window (default 4); more than repeat_conversions')),
  },
  { additionalProperties: false },
);
const Settings = Type.Object({
  new_days: Type.Integer(),
  dormant_days: Type.Integer(),
  churned_days: Type.Integer(),
  purchase_window_days: Type.Integer(),
  repeat_conversions: Type.Integer(),
  loyal_conversions: Type.Integer(),
});
const SettingsAnswer = Type.Object({
  version: Type.Integer({ description: '0: never set (the defaults)' }),
  settings: Settings,
  defaults: Settings,
  stages: Type.Array(Type.String(), { description: 'Every stage, in precedence order (a contact is in the first that holds)' }),
});
const Stage = Type.Enum([...LIFECYCLE_STAGES]);
const StageSizes = Type.Object(Object.fromEntries(LIFECYCLE_STAGES.map((s) => [s, Type.Integer()])));
const Repurchase = {
  buyers: Type.Integer({ description: 'Contacts with a conversion in the period' }),
  repeat_buyers: Type.Integer({ description: 'Of them, those with two or more' }),
  rate: Measure,
};
const Report = Type.Object({
  timezone: Type.String(),
  settings: Settings,
  now: Type.Object({ at: Type.String(), stages: StageSizes }),
  weeks: Type.Array(
    Type.Object({
      start: Type.String(),
      end: Type.String(),
      stages: StageSizes,
      flows: Type.Array(Type.Object({ from: Nullable(Stage), to: Stage, contacts: Type.Integer() })),
      repurchase: Type.Object(Repurchase),
    }),
  ),
  repurchase: Type.Object({ from: Type.String(), to: Type.String(), ...Repurchase }),
});
const Reactivation = Type.Object({
  campaign_id: Type.String(),
  within_days: Type.Integer(),
  delivered: Type.Integer(),
  targeted: Type.Integer(),
  reactivated: Type.Integer(),
  rate: Measure,
  by_stage: Type.Array(Type.Object({ stage: Stage, delivered: Type.Integer(), reactivated: Type.Integer(), rate: Measure })),
});
const Tz = Type.Optional(Type.String({ maxLength: 64, description: 'IANA zone; default the workspace zone' }));

export const lifecycleRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse }) => {
  const readers = { roles: ['analyst', 'marketer', 'admin'] as const };
  const writers = { roles: ['marketer', 'admin'] as const };
  const answer = (saved: Awaited<ReturnType<typeof lifecycleSettings>>) => ({ ...saved, defaults: { ...DEFAULT_LIFECYCLE }, stages: [...LIFECYCLE_STAGES] });

  app.get(
    '/lifecycle/settings',
    { config: readers, schema: { summary: "The workspace's lifecycle stage thresholds and the defaults", response: { 200: SettingsAnswer } } },
    async (request) => answer(await lifecycleSettings(warehouse, request.principal.workspaceId)),
  );

  app.put(
    '/lifecycle/settings',
    {
      config: writers,
      schema: {
        summary: 'Set the lifecycle thresholds (a new version; fields left out take the defaults)',
        body: Thresholds,
        response: { 200: SettingsAnswer },
      },
    },
    async (request) => answer(await saveLifecycleSettings(warehouse, request.principal.workspaceId, request.body, request.principal.keyId)),
  );

  app.get(
    '/lifecycle',
    {
      config: readers,
      schema: {
        summary: 'Stage sizes now and at the end of each of the last N complete weeks (Monday start), the flows between stages and the repurchase rate',
        querystring: Type.Object(
          { weeks: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_REPORT_WEEKS, default: 8 })), tz: Tz },
          { additionalProperties: false },
        ),
        response: { 200: Report },
      },
    },
    async (request) =>
      lifecycleReport(warehouse, request.principal.workspaceId, {
        nowMs: now(),
        weeks: request.query.weeks ?? 8,
        timezone: await requestTimeZone(request, warehouse),
      }),
  );

  app.get(
    '/lifecycle/reactivation',
    {
      config: readers,
      schema: {
        summary: 'Of the contacts dormant or churned when a campaign was delivered to them, the share that interacted within N days (沉睡会员唤醒率)',
        querystring: Type.Object(
          {
            campaign_id: Type.String({ minLength: 1, maxLength: 256 }),
            within_days: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_REACTIVATION_DAYS, default: 7 })),
            tz: Tz,
          },
          { additionalProperties: false },
        ),
        response: { 200: Reactivation },
      },
    },
    async (request) =>
      reactivationRate(warehouse, request.principal.workspaceId, {
        campaignId: request.query.campaign_id,
        withinDays: request.query.within_days ?? 7,
        timezone: await requestTimeZone(request, warehouse),
      }),
  );
};
