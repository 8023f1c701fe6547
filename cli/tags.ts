/** `smsp tags computed refresh ID`: refresh a computed tag now, through the server beside the data (or the engine). */
import type { RefreshedAnswer } from '../api/routes/computed-tags.ts';
import { refreshComputedTag } from '../segmentation/computed-tags.ts';
import { stringFlag, UsageError, type Flags } from './args.ts';
import { printResult } from './output.ts';
import { viaServerOrEngine } from './server-client.ts';

const USAGE = 'usage: smsp tags computed refresh ID [--workspace W] [--json]';

function formatRefreshed(r: RefreshedAnswer): string {
  const tag = r.value ? `${r.tag}=${r.value}` : r.tag;
  return `${tag}: ${r.members} contacts match (+${r.added} gained, -${r.removed} lost) at ${r.refreshed_at}`;
}

export async function tagsCommand(flags: Flags, positionals: string[]): Promise<number> {
  const [group, action, id] = positionals;
  if (group !== 'computed' || action !== 'refresh' || !id) throw new UsageError(USAGE);
  const workspace = stringFlag(flags, 'workspace');
  const answer = await viaServerOrEngine(
    (server) => server.json<RefreshedAnswer>('POST', `/computed-tags/${encodeURIComponent(id)}/refresh`, { workspace }),
    (warehouse, ws) => refreshComputedTag(warehouse, ws, id),
    workspace,
  );
  printResult(flags, answer, formatRefreshed);
  return 0;
}
