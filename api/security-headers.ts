/**
 * Security headers on every response (pages, API answers, errors and 404s): a strict
 * Content-Security-Policy and helmet's usual companions. Register it before the documentation
 * routes: it gives the Swagger UI under /docs its own, slightly wider, policy as those routes are added.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmetMiddleware from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Where app.ts mounts the Swagger UI. */
export const DOCS_PREFIX = '/docs';

/**
 * The dashboard loads only its own scripts, styles and API; nothing may frame a page or post a form
 * elsewhere. Trusted Types make the browser refuse any HTML string written into the page (the dashboard
 * builds DOM nodes; its `default` policy lets only the empty string through, which ECharts uses to clear
 * its container). No `upgrade-insecure-requests`: the server speaks plain HTTP (TLS, if any, ends at a
 * proxy), and upgrading its own requests would break the page.
 */
export const APP_CSP = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
  'require-trusted-types-for': ["'script'"],
  'trusted-types': ['default'],
};

/**
 * Swagger UI (a React bundle) writes rendered Markdown as HTML, so no Trusted Types there, and "Try it
 * out" submits to this server; still no inline script, no plugins, no framing. Its one inline style is the
 * logo's colours (`.logo_small_svg__cls-2{fill:#fff}...`), allowed by its hash: a newer Swagger UI that
 * changes it only loses the colours (and the /docs browser test reports the violation).
 */
export const DOCS_CSP = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
};

const policy = (directives: Record<string, string[]>) => ({ useDefaults: false, directives });

const GLOBAL_OPTIONS = {
  contentSecurityPolicy: policy(APP_CSP),
  // X-Frame-Options for browsers that predate frame-ancestors.
  frameguard: { action: 'deny' as const },
  referrerPolicy: { policy: 'no-referrer' as const },
};

const applyGlobal = helmetMiddleware(GLOBAL_OPTIONS);

/**
 * The same headers on a raw response, for the few answers fastify sends before any hook runs (a URL it
 * cannot parse goes to `frameworkErrors`).
 */
export function setSecurityHeaders(request: IncomingMessage, response: ServerResponse): void {
  applyGlobal(request, response, () => undefined);
}

async function securityHeaders(app: FastifyInstance): Promise<void> {
  // Added before helmet's own onRoute hook, which turns a route's `helmet` option into its configuration.
  app.addHook('onRoute', (route) => {
    if (route.url === DOCS_PREFIX || route.url.startsWith(`${DOCS_PREFIX}/`)) route.helmet = { contentSecurityPolicy: policy(DOCS_CSP) };
  });
  await app.register(helmet, { global: true, ...GLOBAL_OPTIONS });
}

/** Global (not encapsulated): the headers apply to every route, the 404 handler and error replies. */
export const securityHeadersPlugin = fp(securityHeaders, { name: 'security-headers' });
