import { DEFAULT_WORKSPACE } from '../access/api-keys.ts';
import { ensureWorkspace } from '../access/workspaces.ts';
import { DEFAULT_DEMO } from '../demo/generator.ts';
import { seedDemoWith, warehouseDemoWriter, type DemoWriter } from '../demo/seed.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { intFlag, stringFlag } from './args.ts';
import type { Flags } from './args.ts';
import { openPlatform } from './open.ts';
import { serverClient, type ServerClient } from './server-client.ts';

/** Within the API's default MAX_EVENTS_PER_REQUEST (10,000). */
const EVENTS_PER_POST = 5000;

/** The demo written through a server's API (the routes run the same service functions). */
function serverDemoWriter(server: ServerClient, workspace: string): DemoWriter {
  type Written = { created: number; updated: number; rejected: unknown[] };
  // A chunk none of whose contacts was accepted answers 400 with the rejections: counted, not fatal.
  const noneAccepted = (status: number) => status === 400;
  return {
    contacts: async (rows) => {
      const answer = (await (await server.request('POST', '/contacts', { body: rows, workspace, keep: noneAccepted })).json()) as Partial<Written>;
      return { created: answer.created ?? 0, updated: answer.updated ?? 0, rejected: answer.rejected ?? [] };
    },
    tags: (assignments) => server.json('POST', '/tags', { body: { assignments }, workspace }),
    experiment: async (input) => {
      const found = await server.request('GET', `/experiments/${encodeURIComponent(input.id!)}`, { workspace, keep: (status) => status === 404 });
      if (found.status !== 404) return;
      await server.json('POST', '/experiments', { body: input, workspace });
      await server.json('POST', `/experiments/${encodeURIComponent(input.id!)}/start`, { workspace });
    },
    events: async (batch) => {
      // A generator batch may pass the API's items-per-request limit: post it in parts.
      const total = { accepted: 0, rejected: [] as unknown[] };
      for (let i = 0; i < batch.length; i += EVENTS_PER_POST) {
        const r = await server.json<{ accepted: number; rejected: unknown[] }>('POST', '/events', { body: batch.slice(i, i + EVENTS_PER_POST), workspace });
        total.accepted += r.accepted;
        total.rejected.push(...r.rejected);
      }
      return total;
    },
    prices: async (input) => {
      const { versions } = await server.json<{ versions: unknown[] }>('GET', '/prices', { workspace });
      if (!versions.length) await server.json('PUT', '/prices', { body: input, workspace });
    },
  };
}

/** Loads demo data into a workspace through `writer` and prints what it loaded. */
async function loadDemoWith(writer: DemoWriter, workspace: string, flags: Flags): Promise<void> {
  const started = Date.now();
  const report = await seedDemoWith(
    writer,
    {
      contacts: intFlag(flags, 'contacts', DEFAULT_DEMO.contacts),
      weeks: intFlag(flags, 'weeks', DEFAULT_DEMO.weeks),
      campaignsPerWeek: intFlag(flags, 'campaigns-per-week', DEFAULT_DEMO.campaignsPerWeek),
      seed: intFlag(flags, 'seed', DEFAULT_DEMO.seed),
    },
    (events) => process.stderr.isTTY && process.stderr.write(`\r  events loaded: ${events}`),
  );
  if (process.stderr.isTTY) process.stderr.write('\n');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `demo data in workspace "${workspace}": ${report.contacts} contacts, ${report.tags} tags, ${report.events} events (${report.rejected} rejected) in ${seconds}s\n`,
  );
}

/** Loads demo data into a workspace of `warehouse` (serve --demo, and seed-demo without a server). */
export async function loadDemo(warehouse: Warehouse, flags: Flags): Promise<void> {
  const workspace = stringFlag(flags, 'workspace') ?? DEFAULT_WORKSPACE;
  await ensureWorkspace(warehouse, workspace, 'seed-demo');
  await loadDemoWith(warehouseDemoWriter(warehouse, workspace), workspace, flags);
}

/** `smsp seed-demo`: through a running server (or SMSP_URL) when there is one, else on the engine itself. */
export async function seedDemoCommand(flags: Flags): Promise<void> {
  const server = serverClient();
  if (server) {
    const workspace = stringFlag(flags, 'workspace') ?? DEFAULT_WORKSPACE;
    return loadDemoWith(serverDemoWriter(server, workspace), workspace, flags);
  }
  const { warehouse } = await openPlatform();
  try {
    await loadDemo(warehouse, flags);
  } finally {
    await warehouse.close();
  }
}
