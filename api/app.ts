/**
 * Builds the HTTP API: thin routes over the domain services, one authenticated scope, one error
 * shape, OpenAPI at /docs. Tests drive it with app.inject().
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import type { AppConfig } from '../config/config.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { authPlugin } from './auth.ts';
import { installErrorHandler } from './error-handler.ts';
import { createApiMetrics, instrumentRequests } from './metrics.ts';
import { registerNdjsonParser } from './ndjson.ts';
import { contactRoutes } from './routes/contacts.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { keyRoutes } from './routes/keys.ts';
import { tagRoutes } from './routes/tags.ts';

/** What the app registered, kept so a test can check that every route declares its roles. */
export type RouteTableEntry = Pick<RouteOptions, 'method' | 'url' | 'config'>;

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteTableEntry[];
  }
}

export interface AppDeps {
  config: AppConfig;
  warehouse: Warehouse;
  logger?: boolean | { level: string };
}

export type App = FastifyInstance;

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, warehouse } = deps;
  const app = Fastify({
    logger: deps.logger ?? { level: config.logLevel },
    bodyLimit: config.server.bodyLimitBytes,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const routeTable: RouteTableEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    // The options object itself: hooks of inner scopes may still fill in its config.
    routeTable.push(route);
  });

  installErrorHandler(app, config.server.bodyLimitBytes);
  registerNdjsonParser(app);
  const metrics = createApiMetrics();
  instrumentRequests(app, metrics);

  await app.register(swagger, {
    openapi: {
      info: { title: 'SMS marketing analytics and segmentation API', version: '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(async (docs) => {
    // The documentation pages are public by declaration, like /healthz.
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, roles: 'public' };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  });
  await app.register(authPlugin, { warehouse });

  const services = { config, warehouse, metrics };
  await app.register(healthRoutes, services);
  await app.register(
    async (v1) => {
      await v1.register(eventRoutes, services);
      await v1.register(contactRoutes, services);
      await v1.register(tagRoutes, services);
      await v1.register(keyRoutes, services);
    },
    { prefix: '/v1' },
  );
  return app;
}

export type Services = { config: AppConfig; warehouse: Warehouse; metrics: ReturnType<typeof createApiMetrics> };
