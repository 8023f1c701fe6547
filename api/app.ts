/**
 * Builds the HTTP API: thin routes over the domain services, one authenticated scope, one error
 * shape, OpenAPI at /docs. Tests drive it with app.inject().
 */
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';

import Fastify, { type FastifyInstance, type FastifyRequest, type RouteOptions } from 'fastify';
import { maskPhonesInText } from '../access/pii-policy.ts';
import type { AppConfig } from '../config/config.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { authPlugin } from './auth.ts';
import { clientErrorHandler } from './client-error.ts';
import { acceptOnlyDeclaredBodyTypes } from './content-types.ts';
import { errors } from '../common/errors.ts';
import { errorBody } from './errors.ts';
import { installErrorHandler } from './error-handler.ts';
import { warehouseIntake, type EventIntake } from '../ingest/event-intake.ts';
import { installInputGuard } from './input-guard.ts';
import { setCursorSecret } from './cursor.ts';
import { storableDateFormat, storableInstantFormat } from './formats.ts';
import { createApiMetrics, instrumentRequests, type ApiMetrics } from './metrics.ts';
import { registerNdjsonParser } from './ndjson.ts';
import { securityHeadersPlugin, setSecurityHeaders } from './security-headers.ts';
import { rateLimitPlugin } from './rate-limit.ts';
import { alertRoutes } from './routes/alerts.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { audienceRoutes } from './routes/audiences.ts';
import { backupRoutes } from './routes/backups.ts';
import { rollupRoutes } from './routes/rollups.ts';
import { clusterRoutes } from './routes/clusters.ts';
import { computedTagRoutes } from './routes/computed-tags.ts';
import { contactRoutes } from './routes/contacts.ts';
import { webAppRoutes } from './routes/web-app.ts';
import { erasureRoutes } from './routes/erasures.ts';
import { eventRoutes } from './routes/events.ts';
import { experimentRoutes } from './routes/experiments.ts';
import { healthRoutes } from './routes/health.ts';
import type { ReadinessProbe, Services } from './services.ts';
import { importRoutes } from './routes/imports.ts';
import { keyRoutes } from './routes/keys.ts';
import { lifecycleRoutes } from './routes/lifecycle.ts';
import { realtimeRoutes } from './routes/realtime.ts';
import { rfmRoutes } from './routes/rfm.ts';
import { ruleChoiceRoutes } from './routes/rule-choices.ts';
import { segmentRoutes } from './routes/segments.ts';
import { segmentWebhookRoutes } from './routes/segment-webhooks.ts';
import { segmentScheduleRoutes } from './routes/segment-schedules.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { sqlRoutes } from './routes/sql.ts';
import { statusRoutes } from './routes/status.ts';
import { tagRoutes } from './routes/tags.ts';
import { templateDeliveryRoutes } from './routes/template-delivery.ts';
import { templateRoutes } from './routes/templates.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { workspaceRoutes } from './routes/workspace.ts';

// The CommonJS plugin function (named formatsPlugin, which the schema compiler looks for).
const formatsPlugin = (ajvFormats as unknown as { default: (ajv: Ajv) => Ajv }).default;

/** What the app registered, kept so a test can check that every route declares its roles and its answers. */
export type RouteTableEntry = Pick<RouteOptions, 'method' | 'url' | 'config' | 'schema'>;

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteTableEntry[];
    metrics: ApiMetrics;
  }
}

export interface AppDeps {
  config: AppConfig;
  warehouse: Warehouse;
  /** Where POST /v1/events sends events; the warehouse itself unless Kafka is configured. */
  intake?: EventIntake;
  /** Background parts /readyz waits for (Kafka ingest and intake), besides the warehouse. */
  readiness?: ReadinessProbe[];
  /** false: silent; else pino options (a test may pass a `stream` to read the access log). */
  logger?: false | { level: string; stream?: { write(line: string): void } };
}

export type App = FastifyInstance;

/** What the access log records of a request: no headers (keys), and phone numbers in the URL masked. */
function accessLogRequest(request: FastifyRequest) {
  return { method: request.method, url: maskPhonesInText(request.url), host: request.host, remoteAddress: request.ip };
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, warehouse } = deps;
  if (config.cursorSecret) setCursorSecret(config.cursorSecret);
  const app = Fastify({
    logger: deps.logger === false ? false : { level: config.logLevel, ...deps.logger, serializers: { req: accessLogRequest } },
    bodyLimit: config.server.bodyLimitBytes,
    // A slow or stalled upload is cut off instead of holding a connection forever.
    requestTimeout: 120_000,
    connectionTimeout: 30_000,
    // Malformed URLs and the like get the same error shape as everything else.
    frameworkErrors: (err, request, reply) => {
      // No hook runs for these: the security headers are set by hand.
      setSecurityHeaders(request.raw, reply.raw);
      void reply.code(400 as never).send(errorBody(errors.validation(`url: ${err.message}`, 'url')) as never);
    },
    // Oversized headers and non-HTTP bytes too (Node answers those before fastify sees a request).
    clientErrorHandler,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false },
      // Dates and times must be real ones the warehouse can store, wherever a schema names the format.
      // (ajv-formats first, named, so the compiler does not add it again over these two.)
      plugins: [formatsPlugin, (ajv: Ajv) => ajv.addFormat('date-time', storableInstantFormat).addFormat('date', storableDateFormat)],
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const routeTable: RouteTableEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    // The options object itself: hooks of inner scopes may still fill in its config.
    routeTable.push(route);
  });

  installErrorHandler(app, config.server.bodyLimitBytes, warehouse);
  installInputGuard(app);
  acceptOnlyDeclaredBodyTypes(app);
  registerNdjsonParser(app);
  const metrics = createApiMetrics();
  app.decorate('metrics', metrics);
  instrumentRequests(app, metrics);
  await app.register(securityHeadersPlugin); // before /docs: it gives the Swagger UI its own policy

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
  // Before the rate limit and authentication hooks, which read the web app's session cookie.
  await app.register(cookie);
  await app.register(rateLimitPlugin, { perMinute: config.server.rateLimitPerMinute, warehouse });
  await app.register(authPlugin, { warehouse });

  const services: Services = { config, warehouse, metrics, intake: deps.intake ?? warehouseIntake(warehouse), readiness: deps.readiness ?? [] };
  await app.register(healthRoutes, services);
  await app.register(webAppRoutes);
  // One plugin per domain, all under /v1 and behind the authentication hook.
  const domains = [
    eventRoutes,
    contactRoutes,
    erasureRoutes,
    importRoutes,
    tagRoutes,
    keyRoutes,
    workspaceRoutes,
    experimentRoutes,
    segmentRoutes,
    realtimeRoutes,
    computedTagRoutes,
    segmentWebhookRoutes,
    segmentScheduleRoutes,
    templateRoutes,
    templateDeliveryRoutes,
    campaignRoutes,
    ruleChoiceRoutes,
    audienceRoutes,
    rfmRoutes,
    lifecycleRoutes,
    clusterRoutes,
    analyticsRoutes,
    alertRoutes,
    backupRoutes,
    rollupRoutes,
    statusRoutes,
    sessionRoutes,
    sqlRoutes,
  ];
  await app.register(
    async (v1) => {
      for (const routes of domains) await v1.register(routes, services);
    },
    { prefix: '/v1' },
  );
  return app;
}
