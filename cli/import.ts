import fs from 'node:fs';
import { DEFAULT_WORKSPACE } from '../access/api-keys.ts';
import { ensureWorkspace } from '../access/workspaces.ts';
import { importContacts } from '../ingest/imports/contact-import.ts';
import { importEventFile } from '../ingest/imports/event-import.ts';
import type { ImportFormat } from '../ingest/imports/file-format.ts';
import { stringFlag, UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { openPlatform } from './open.ts';
import { progressReporter } from './progress.ts';

const USAGE =
  'usage: smsp import contacts FILE [--workspace W] [--tag T] [--sheet S] [--format txt|csv|xlsx]\n       smsp import events FILE.ndjson [--workspace W]';

/** `smsp import contacts|events FILE`: prints the report as JSON; progress on stderr. */
export async function importCommand(flags: Flags, positionals: string[]): Promise<number> {
  const [kind, file] = positionals;
  if ((kind !== 'contacts' && kind !== 'events') || !file) throw new UsageError(USAGE);
  if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const size = fs.statSync(file).size;
  const workspace = stringFlag(flags, 'workspace') ?? DEFAULT_WORKSPACE;
  const { config, warehouse } = await openPlatform();
  const progress = progressReporter(`importing ${kind}`, size);
  try {
    await ensureWorkspace(warehouse, workspace, 'cli');
    const input = fs.createReadStream(file);
    let bytesRead = 0;
    input.on('data', (chunk) => (bytesRead += chunk.length));
    const report =
      kind === 'contacts'
        ? await importContacts(warehouse, workspace, input, {
            maxRows: config.server.importMaxRows,
            maxBytes: config.server.importMaxBytes,
            format: stringFlag(flags, 'format') as ImportFormat | undefined,
            sheet: stringFlag(flags, 'sheet'),
            tag: stringFlag(flags, 'tag'),
            onProgress: ({ rows }) => progress.update(bytesRead, `${rows} rows`),
          })
        : await importEventFile(warehouse, workspace, input, (lines) => progress.update(bytesRead, `${lines} lines`));
    progress.finish();
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } finally {
    await warehouse.close();
  }
}
