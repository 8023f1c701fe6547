/** Prices per billed part (versioned) and campaign costs and ROI with last-touch attribution. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { now } from '../../common/clock.ts';
import { DEFAULT_ATTRIBUTION_DAYS, MAX_ATTRIBUTION_DAYS, ROI_GROUPS, campaignRoi } from '../../templates/campaign-roi.ts';
import { priceVersions, savePrices, versionAt } from '../../templates/prices.ts';
import { workspaceSettings } from '../../access/workspaces.ts';
import { Measure, Nullable } from '../response-schemas.ts';
import type { Services } from '../services.ts';

const Amount = Type.Number({ minimum: 0, maximum: 1000, description: 'Per billed part, in the workspace currency, at most 6 decimals' });
const Rule = Type.Object(
  {
    channel: Type.String({ minLength: 1, maxLength: 64, description: '106, card, intl, ...' }),
    carrier: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'Absent or null: every carrier of the channel' }))),
    per_part: Amount,
  },
  { additionalProperties: false },
);
const PriceVersion = Type.Object({
  version: Type.Integer(),
  currency: Type.String(),
  default_per_part: Type.Number(),
  rules: Type.Array(Type.Object({ channel: Type.String(), carrier: Nullable(Type.String()), per_part: Type.Number() })),
  effective_from: Type.String({ description: 'Sends at or after this instant use this version until a later one takes effect' }),
  changed_at: Type.String(),
  changed_by: Type.String(),
});
const Prices = Type.Object({
  currency: Type.String({ description: "The workspace's currency" }),
  current: Nullable(PriceVersion),
  versions: Type.Array(PriceVersion, { description: 'Newest first' }),
});

const figures = {
  messages: Type.Integer({ description: 'Accepted sends in the range' }),
  parts: Type.Integer({ description: "Billed parts: the send's `parts` property, else its template's part count, else 1" }),
  cost: Type.Number(),
  unpriced_messages: Type.Integer({ description: 'Sent before the first price version took effect (cost 0)' }),
  conversions: Type.Integer({ description: "Conversions credited (last touch) to the group's deliveries in the range" }),
  revenue: Type.Number(),
  roi: Measure,
  cost_per_conversion: Measure,
};
const CampaignRoi = Type.Object({
  from: Type.String(),
  to: Type.String(),
  group_by: Type.Enum([...ROI_GROUPS]),
  attribution_days: Type.Integer(),
  currency: Type.String(),
  groups: Type.Array(
    Type.Object({ key: Type.String({ description: 'Campaign, template, channel or segment id; empty when the events carry none' }), ...figures }),
  ),
  totals: Type.Object(figures),
  unattributed: Type.Object({ conversions: Type.Integer(), revenue: Type.Number() }),
});

export const campaignRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse }) => {
  const readers = { roles: ['analyst', 'marketer', 'admin'] as const };

  const pricesOf = async (workspaceId: string) => {
    const versions = await priceVersions(warehouse, workspaceId);
    const { currency } = await workspaceSettings(warehouse, workspaceId);
    return { currency, current: versionAt(versions, now()) ?? null, versions: versions.reverse() };
  };

  app.get(
    '/prices',
    {
      config: readers,
      schema: { summary: 'Prices per billed part by channel and carrier: the version in effect and every version', response: { 200: Prices } },
    },
    (request) => pricesOf(request.principal.workspaceId),
  );

  app.put(
    '/prices',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Set prices per billed part (a new version, applying to messages sent from effective_from on; default now)',
        body: Type.Object(
          {
            currency: Type.Optional(Type.String({ description: 'Must be the workspace currency' })),
            default_per_part: Amount,
            rules: Type.Optional(Type.Array(Rule, { maxItems: 200, description: 'The most specific rule wins: channel and carrier, then channel' })),
            effective_from: Type.Optional(Type.String({ format: 'date-time', description: "Not before the newest version's" })),
          },
          { additionalProperties: false },
        ),
        response: { 200: PriceVersion },
      },
    },
    (request) => savePrices(warehouse, request.principal.workspaceId, request.body, request.principal.keyId),
  );

  app.get(
    '/campaigns/roi',
    {
      config: readers,
      schema: {
        summary: 'Messages, billed parts, cost, last-touch attributed conversions and revenue, ROI and cost per conversion, per group',
        querystring: Type.Object(
          {
            from: Type.String({ format: 'date-time' }),
            to: Type.String({ format: 'date-time' }),
            group_by: Type.Optional(Type.Enum([...ROI_GROUPS], { description: 'Default campaign' })),
            attribution_days: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ATTRIBUTION_DAYS, description: `Default ${DEFAULT_ATTRIBUTION_DAYS}` })),
          },
          { additionalProperties: false },
        ),
        response: { 200: CampaignRoi },
      },
    },
    (request) => {
      const q = request.query;
      return campaignRoi(warehouse, request.principal.workspaceId, {
        fromMs: Date.parse(q.from),
        toMs: Date.parse(q.to),
        groupBy: q.group_by,
        attributionDays: q.attribution_days,
      });
    },
  );
};
