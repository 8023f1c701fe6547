import { DEFAULT_WORKSPACE } from '../access/api-keys.ts';
import { eraseContact } from '../segmentation/erasure.ts';
import { isoFromTs } from '../warehouse/time.ts';
import { stringFlag, UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { openPlatform } from './open.ts';

/** `smsp erase USER_ID [--workspace W]`: erases a person on request and prints the erasure log entry (hashes only). */
export async function eraseCommand(flags: Flags, positionals: string[]): Promise<void> {
  const [userId, extra] = positionals;
  if (!userId || extra !== undefined) throw new UsageError('usage: smsp erase USER_ID [--workspace W]');
  const { warehouse } = await openPlatform();
  try {
    const r = await eraseContact(warehouse, stringFlag(flags, 'workspace') ?? DEFAULT_WORKSPACE, userId, 'cli');
    process.stdout.write(
      [
        `erased (${r.erasure_id} at ${isoFromTs(r.erased_at)}): ${r.contacts_removed} profile(s) removed, ${r.events_pseudonymized} event(s) kept with hashed identifiers`,
        `user hash:   ${r.user_hash}`,
        ...r.phone_hashes.map((h) => `phone hash:  ${h}`),
        '',
      ].join('\n'),
    );
  } finally {
    await warehouse.close();
  }
}
