/**
 * The dashboard page and its scripts (public files; the data comes from the API with the key the user
 * types in). ECharts is served from the installed package: the page works with no network access. No inline
 * script or style, so the page runs under the strict Content-Security-Policy of api/security-headers.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dashboard');
const ECHARTS = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');

const FILES: Record<string, { file: string; type: string }> = {
  '/dashboard': { file: path.join(DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/dashboard/app.js': { file: path.join(DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/dashboard/style.css': { file: path.join(DIR, 'style.css'), type: 'text/css; charset=utf-8' },
  '/dashboard/echarts.min.js': { file: ECHARTS, type: 'text/javascript; charset=utf-8' },
};

/** Files, streamed: no response schema. */
export const dashboardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  for (const [url, { file, type }] of Object.entries(FILES)) {
    app.get(url, { config: { roles: 'public' }, schema: { hide: true } }, async (_request, reply) => {
      reply.header('content-type', type).header('cache-control', 'no-cache');
      return reply.send(fs.createReadStream(file));
    });
  }
};
