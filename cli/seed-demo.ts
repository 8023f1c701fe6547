import { DEFAULT_WORKSPACE } from '../access/api-keys.ts';
import { ensureWorkspace } from '../access/workspaces.ts';
import { DEFAULT_DEMO } from '../demo/generator.ts';
import { seedDemo } from '../demo/seed.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { intFlag, stringFlag } from './args.ts';
import type { Flags } from './args.ts';
import { openPlatform } from './open.ts';

/** Loads demo data into a workspace and prints what it loaded. */
export async function loadDemo(warehouse: Warehouse, flags: Flags): Promise<void> {
  const workspace = stringFlag(flags, 'workspace') ?? DEFAULT_WORKSPACE;
  await ensureWorkspace(warehouse, workspace, 'seed-demo');
  const started = Date.now();
  const report = await seedDemo(
    warehouse,
    workspace,
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

/** `smsp seed-demo`. */
export async function seedDemoCommand(flags: Flags): Promise<void> {
  const { warehouse } = await openPlatform();
  try {
    await loadDemo(warehouse, flags);
  } finally {
    await warehouse.close();
  }
}
