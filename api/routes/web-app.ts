/**
 * The web app: its page at `/` and its modules under `/app/`, public files (the data comes from the API with the
 * session cookie). Preact with htm and ECharts are served from the installed packages, so the app works with no
 * network access. The files are listed once at start-up and looked up by URL, so no request path reaches the file
 * system. No inline
 * script or style: the app runs under the strict Content-Security-Policy of api/security-headers.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
const resolvePackage = createRequire(import.meta.url).resolve;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Every file of web/ at /app/<relative path>, and the vendored packages. */
function appFiles(): Map<string, string> {
  const files = new Map<string, string>([
    // htm's Preact build bundled with its hooks: one ES module with no bare imports a browser could not resolve.
    ['/app/vendor/preact-htm.js', fileURLToPath(import.meta.resolve('htm/preact/standalone'))],
    ['/app/vendor/echarts.min.js', resolvePackage('echarts/dist/echarts.min.js')],
  ]);
  for (const entry of fs.readdirSync(WEB, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !TYPES[path.extname(entry.name)] || entry.name === 'index.html') continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(`/app/${path.relative(WEB, file).split(path.sep).join('/')}`, file);
  }
  return files;
}

function sendFile(reply: FastifyReply, file: string) {
  reply.header('content-type', TYPES[path.extname(file)]!).header('cache-control', 'no-cache');
  return reply.send(fs.createReadStream(file));
}

/** Files, streamed: no response schema. */
export const webAppRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const files = appFiles();
  const page = path.join(WEB, 'index.html');
  app.get('/', { config: { roles: 'public' }, schema: { hide: true } }, async (_request, reply) => sendFile(reply, page));
  app.get('/app/*', { config: { roles: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const file = files.get(request.url.split('?')[0]!);
    return file ? sendFile(reply, file) : reply.callNotFound();
  });
  // The dashboard of earlier versions is a page of the app now.
  app.get('/dashboard', { config: { roles: 'public' }, schema: { hide: true } }, async (_request, reply) => reply.redirect('/#/dashboard'));
};
