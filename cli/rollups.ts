/**
 * `smsp rollups rebuild`: empties every rollup and refills it from the stored events (ingest/rollup-rebuild.ts).
 * Beside a running server (or with SMSP_URL) the server rebuilds them (`POST /v1/admin/rollups/rebuild`, root
 * key), pausing its own event writes meanwhile; with none, this process opens the engine and holds it alone.
 */
import { rebuildRollups, type RebuiltRollups } from '../ingest/rollup-rebuild.ts';
import { UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { printResult } from './output.ts';
import { viaServerOrEngine } from './server-client.ts';

const USAGE = 'usage: smsp rollups rebuild';

export async function rollupsCommand(flags: Flags, positionals: string[]): Promise<void> {
  if (positionals.length !== 1 || positionals[0] !== 'rebuild') throw new UsageError(USAGE);
  const answer = await viaServerOrEngine(
    (server) => server.json<{ rebuilt: RebuiltRollups[] }>('POST', '/admin/rollups/rebuild'),
    async (warehouse) => ({ rebuilt: await rebuildRollups(warehouse) }),
    undefined,
  );
  printResult(flags, answer, (a) => a.rebuilt.map((r) => `rebuilt ${r.tables.join(', ')} (${r.seconds} s)`).join('\n'));
}
