import { DEFAULT_WORKSPACE } from '../access/api-keys.ts';
import { buildApp } from '../api/app.ts';
import { listContacts } from '../ingest/contacts.ts';
import { intFlag, stringFlag } from './args.ts';
import type { Flags } from './main.ts';
import { openPlatform } from './open.ts';
import { loadDemo } from './seed-demo.ts';

/** `smsp serve`: migrate, bootstrap, optionally load demo data, then serve HTTP until SIGTERM/SIGINT. */
export async function serveCommand(flags: Flags): Promise<void> {
  const port = intFlag(flags, 'port');
  const host = stringFlag(flags, 'host');
  const { config, warehouse } = await openPlatform({ ...(port !== undefined && { port }), ...(host !== undefined && { host }) });
  if (flags.demo) {
    const workspace = stringFlag(flags, 'workspace') ?? DEFAULT_WORKSPACE;
    const existing = await listContacts(warehouse, workspace, 1, '');
    if (existing.contacts.length === 0) await loadDemo(warehouse, flags);
  }
  const app = await buildApp({ config, warehouse });
  const stop = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await warehouse.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  const address = await app.listen({ host: config.server.host, port: config.server.port });
  process.stderr.write(`SMS analytics platform listening on ${address} (warehouse: ${warehouse.kind}); API docs at ${address}/docs\n`);
}
