import fs from 'node:fs';
import { Readable } from 'node:stream';
import { ensureWorkspace } from '../access/workspaces.ts';
import type { ImportReportAnswer } from '../api/routes/imports.ts';
import type { Rejection } from '../common/list-items.ts';
import { ingestEvents } from '../ingest/event-writer.ts';
import { importContacts } from '../ingest/imports/contact-import.ts';
import { importEventFile, type EventImportReport } from '../ingest/imports/event-import.ts';
import type { ImportFormat } from '../ingest/imports/file-format.ts';
import { loadConfig } from '../config/config.ts';
import { stringFlag, UsageError } from './args.ts';
import type { Flags } from './args.ts';
import { printResult } from './output.ts';
import { progressReporter } from './progress.ts';
import { viaServerOrEngine } from './server-client.ts';

const USAGE =
  'usage: smsp import contacts FILE [--workspace W] [--tag T] [--sheet S] [--format txt|csv|xlsx] [--json]\n       smsp import events FILE.ndjson [--workspace W] [--json]';

const refusedLines = (lines: { line: number; reason: string }[]) => lines.map((l) => `  line ${l.line}: ${l.reason}`);

function formatContactReport(r: ImportReportAnswer): string {
  const head = `${r.rows} rows (${r.format}${r.encoding ? `, ${r.encoding}` : ''}): ${r.imported} new, ${r.updated} updated, ${r.duplicates} duplicates, ${r.invalid.count} invalid`;
  return [head, ...refusedLines(r.invalid.lines)].join('\n');
}

function formatEventReport(r: EventImportReport): string {
  return [`${r.lines} lines: ${r.accepted} accepted, ${r.rejected.count} rejected`, ...refusedLines(r.rejected.lines)].join('\n');
}

/** `smsp import contacts|events FILE`: through the server beside the data, else the engine; prints the report, progress on stderr. */
export async function importCommand(flags: Flags, positionals: string[]): Promise<number> {
  const [kind, file] = positionals;
  if ((kind !== 'contacts' && kind !== 'events') || !file) throw new UsageError(USAGE);
  if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const workspace = stringFlag(flags, 'workspace');
  const progress = progressReporter(`importing ${kind}`, fs.statSync(file).size);
  let bytesRead = 0;
  // Bytes are counted as the import (or the upload) reads them, not as the file flows.
  const open = () =>
    Readable.from(
      (async function* () {
        for await (const chunk of fs.createReadStream(file)) {
          progress.update((bytesRead += (chunk as Buffer).length));
          yield chunk as Buffer;
        }
      })(),
    );
  if (kind === 'contacts') {
    const options = { format: stringFlag(flags, 'format') as ImportFormat | undefined, sheet: stringFlag(flags, 'sheet'), tag: stringFlag(flags, 'tag') };
    const report = await viaServerOrEngine(
      (server) => server.json<ImportReportAnswer>('POST', '/contacts/import', { query: options, body: open(), workspace }),
      async (warehouse, ws) => {
        const { server } = loadConfig();
        await ensureWorkspace(warehouse, ws, 'cli');
        return importContacts(warehouse, ws, open(), {
          maxRows: server.importMaxRows,
          maxBytes: server.importMaxBytes,
          ...options,
          onProgress: ({ rows }) => progress.update(bytesRead, `${rows} rows`),
        });
      },
      workspace,
    );
    progress.finish();
    printResult(flags, report, formatContactReport);
    return 0;
  }
  const onLines = (lines: number) => progress.update(bytesRead, `${lines} lines`);
  const report = await viaServerOrEngine(
    (server) =>
      importEventFile(
        open(),
        async (items) => {
          // A batch none of whose events was accepted is a 400 that still lists every refusal.
          const keep = (status: number, answer: Record<string, unknown>) => status === 400 && Array.isArray(answer.rejected);
          const answer = await server.json<{ accepted?: number; rejected: Rejection[] }>('POST', '/events', { body: items, workspace, keep });
          return { accepted: answer.accepted ?? 0, rejected: answer.rejected };
        },
        onLines,
      ),
    async (warehouse, ws) => {
      await ensureWorkspace(warehouse, ws, 'cli');
      return importEventFile(open(), (items) => ingestEvents(warehouse, ws, items), onLines);
    },
    workspace,
  );
  progress.finish();
  printResult(flags, report, formatEventReport);
  return 0;
}
