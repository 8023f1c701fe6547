import type { ErasureAnswer } from '../api/routes/erasures.ts';
import { presentErasure } from '../api/routes/erasures.ts';
import { eraseContact } from '../segmentation/erasure.ts';
import { stringFlag, UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { printResult } from './output.ts';
import { viaServerOrEngine } from './server-client.ts';

function formatErasure(r: ErasureAnswer): string {
  return [
    `erased (${r.erasure_id} at ${r.erased_at}): ${r.contacts_removed} profile(s) removed, ${r.events_pseudonymized} event(s) kept with hashed identifiers`,
    `user hash:   ${r.user_hash}`,
    ...r.phone_hashes.map((h) => `phone hash:  ${h}`),
  ].join('\n');
}

/** `smsp erase USER_ID [--workspace W] [--json]`: erases a person on request and prints the erasure log entry (hashes only). */
export async function eraseCommand(flags: Flags, positionals: string[]): Promise<void> {
  const [userId, extra] = positionals;
  if (!userId || extra !== undefined) throw new UsageError('usage: smsp erase USER_ID [--workspace W] [--json]');
  const workspace = stringFlag(flags, 'workspace');
  const erased = await viaServerOrEngine(
    (server) => server.json<ErasureAnswer>('DELETE', `/contacts/${encodeURIComponent(userId)}`, { workspace }),
    async (warehouse, ws) => presentErasure(await eraseContact(warehouse, ws, userId, 'cli')),
    workspace,
  );
  printResult(flags, erased, formatErasure);
}
