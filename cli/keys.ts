import { createApiKey, DEFAULT_WORKSPACE } from '../access/api-keys.ts';
import { ROLES, type Role } from '../access/roles.ts';
import { stringFlag, UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { openPlatform } from './open.ts';

/** `smsp keys create --name N --role R [--workspace W]`: prints the new key once. */
export async function keysCommand(flags: Flags, positionals: string[]): Promise<void> {
  if (positionals[0] !== 'create') throw new UsageError('usage: smsp keys create --name N --role R [--workspace W]');
  const name = stringFlag(flags, 'name');
  const role = stringFlag(flags, 'role') as Role | undefined;
  if (!name || !role || !ROLES.includes(role)) throw new UsageError(`--name and --role (${ROLES.join('|')}) are required`);
  const { warehouse } = await openPlatform();
  try {
    const created = await createApiKey(warehouse, { workspace: stringFlag(flags, 'workspace') ?? DEFAULT_WORKSPACE, role, name, createdBy: 'cli' });
    process.stdout.write(`${created.key}\n`);
  } finally {
    await warehouse.close();
  }
}
