import { createApiKey, DEFAULT_WORKSPACE } from '../access/api-keys.ts';
import { ROLES, type Role } from '../access/roles.ts';
import type { CreatedKeyAnswer } from '../api/routes/keys.ts';
import { stringFlag, UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { printResult } from './output.ts';
import { viaServerOrEngine } from './server-client.ts';

/** `smsp keys create --name N --role R [--workspace W] [--json]`: prints the new key once (--json: the whole answer). */
export async function keysCommand(flags: Flags, positionals: string[]): Promise<void> {
  if (positionals[0] !== 'create') throw new UsageError('usage: smsp keys create --name N --role R [--workspace W] [--json]');
  const name = stringFlag(flags, 'name');
  const role = stringFlag(flags, 'role') as Role | undefined;
  if (!name || !role || !ROLES.includes(role)) throw new UsageError(`--name and --role (${ROLES.join('|')}) are required`);
  const workspace = stringFlag(flags, 'workspace');
  // The workspace goes in the body: the root key may create keys in (and so create) any workspace.
  const created = await viaServerOrEngine(
    (server) => server.json<CreatedKeyAnswer>('POST', '/keys', { body: { name, role, ...(workspace && { workspace }) } }),
    (warehouse) => createApiKey(warehouse, { workspace: workspace ?? DEFAULT_WORKSPACE, role, name, createdBy: 'cli' }),
    undefined,
  );
  printResult(flags, created, (c) => c.key);
}
