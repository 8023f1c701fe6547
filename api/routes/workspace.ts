/** The caller's workspace settings: time zone, interface language and currency. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { LOCALES } from '../../access/time-zones.ts';
import { updateWorkspaceSettings, workspaceSettings } from '../../access/workspaces.ts';
import type { Services } from '../services.ts';

const Settings = {
  id: Type.String(),
  timezone: Type.String({ description: 'IANA time zone' }),
  locale: Type.Enum([...LOCALES]),
  currency: Type.String({ description: 'ISO 4217 code of prices, costs and revenue' }),
};

export const workspaceRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { warehouse }) => {
  app.get(
    '/workspace',
    {
      config: { roles: ['admin', 'analyst', 'marketer', 'sender'] },
      schema: { summary: "The caller's workspace and its settings", response: { 200: Type.Object(Settings) } },
    },
    async (request) => ({ id: request.principal.workspaceId, ...(await workspaceSettings(warehouse, request.principal.workspaceId)) }),
  );

  app.put(
    '/workspace',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Change workspace settings (a new version; earlier ones are kept)',
        body: Type.Object(
          {
            timezone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone, e.g. Asia/Shanghai' })),
            locale: Type.Optional(Type.Enum([...LOCALES])),
            currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. CNY; amounts are not converted' })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ ...Settings, version: Type.Integer() }) },
      },
    },
    async (request) => {
      const saved = await updateWorkspaceSettings(warehouse, request.principal.workspaceId, request.body, request.principal.keyId);
      return { id: request.principal.workspaceId, ...saved.spec, version: saved.version };
    },
  );
};
